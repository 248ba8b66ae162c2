package io.dynrag.app.infra;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("e2e")
class EmbeddedInfraTest {

    @TempDir
    Path directory;

    @Test
    void serversWorkAndKeepTheirDataAcrossARestart() throws Exception {
        EmbeddedInfra.Ports portsOfFirstRun;
        try (EmbeddedInfra infra = EmbeddedInfra.start(directory)) {
            report("cold start (empty directory)", infra);
            commitsAreDurable(infra);
            InfraChecks.writeAndReadBack(infra);
            portsOfFirstRun = infra.ports();
        }

        // Fixed ports this time, as a developer would configure them.
        try (EmbeddedInfra infra = EmbeddedInfra.start(directory, portsOfFirstRun)) {
            report("restart (same directory, same JVM)", infra);
            assertThat(infra.ports()).isEqualTo(portsOfFirstRun);
            InfraChecks.writtenDataIsStillThere(infra);
        }
    }

    private static void commitsAreDurable(Infra infra) throws Exception {
        try (Connection connection = InfraChecks.connect(infra); Statement statement = connection.createStatement()) {
            for (String setting : new String[] {"fsync", "synchronous_commit", "full_page_writes"}) {
                try (ResultSet value = statement.executeQuery("SHOW " + setting)) {
                    value.next();
                    assertThat(value.getString(1)).as(setting).isEqualTo("on");
                }
            }
        }
    }

    private static void report(String when, EmbeddedInfra infra) {
        EmbeddedInfra.StartTimes times = infra.startTimes();
        System.out.printf("%s: kafka %d ms, postgres %d ms, s3 %d ms%n", when,
                times.kafka().toMillis(), times.postgres().toMillis(), times.s3().toMillis());
    }
}
