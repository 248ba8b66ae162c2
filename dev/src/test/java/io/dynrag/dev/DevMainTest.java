package io.dynrag.dev;

import io.dynrag.app.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DevMainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(DevMain.LAUNCHER, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void devTakesNoArguments() {
        assertThat(run("dev", "--fast")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument '--fast'");
    }

    @Test
    void benchIsLeftToTheBenchmarks() {
        assertThat(run("bench", "startup")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("it runs in the benchmarks' launcher (./dynrag bench)");
    }
}
