package io.dynrag.app.config;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/** The log formats {@code DYNRAG_LOG_FORMAT} chooses, as the role processes configure them. */
class LogFormatTest {

    @Test
    void textLinesOfARequestEndWithItsCorrelationAndCustomer() throws Exception {
        List<String> lines = logged("text");

        assertThat(lines.get(0)).endsWith("io.dynrag.test - outside any request");
        assertThat(lines.get(1)).endsWith("io.dynrag.test - serving [correlationId=c-1]");
        assertThat(lines.get(2)).endsWith("io.dynrag.test - for a customer [correlationId=c-1] [customerId=cust-9]");
    }

    @Test
    void jsonLinesCarryTheSameEntries() throws Exception {
        List<String> lines = logged("json");

        assertThat(lines.get(0)).doesNotContain("correlationId");
        assertThat(lines.get(2)).contains("\"correlationId\":\"c-1\"").contains("\"customerId\":\"cust-9\"");
    }

    private static List<String> logged(String format) throws Exception {
        PrintStream console = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.putProperty("DYNRAG_LOG_FORMAT", format);
        context.setMDCAdapter(MDC.getMDCAdapter());
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            Logger log = context.getLogger("io.dynrag.test");
            log.info("outside any request");
            MDC.put("correlationId", "c-1");
            log.info("serving");
            MDC.put("customerId", "cust-9");
            log.info("for a customer");
        } finally {
            MDC.clear();
            context.stop();
            System.setOut(console);
        }
        return out.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("io.dynrag.test")
                || line.contains("outside any request") || line.contains("serving") || line.contains("for a customer"))
                .toList();
    }
}
