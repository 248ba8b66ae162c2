package io.dynrag.app;

import io.dynrag.app.bench.BenchCommand;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class MainTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsUsageAndSucceeds() {
        assertThat(run("help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("dev", "run <role>");
    }

    @Test
    void noCommandPrintsUsageAndFails() {
        assertThat(run()).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("Usage: dynrag");
    }

    @Test
    void unknownCommandIsAClearError() {
        assertThat(run("serve")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown command 'serve'");
    }

    @Test
    void unknownRoleIsAClearError() {
        assertThat(run("run", "api", "indexer")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown role 'indexer'");
    }

    @Test
    void runWithoutRolesIsAClearError() {
        assertThat(run("run")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("name at least one role");
    }

    @Test
    void devTakesNoArguments() {
        assertThat(run("dev", "--fast")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument '--fast'");
    }

    @Test
    void replayNamesAProjectionAndASourceItKnows() {
        assertThat(run("replay")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("name a projection to replay: documents, usage");
        assertThat(run("replay", "invoices")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown projection 'invoices'");
        assertThat(run("replay", "usage", "--from", "tape")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from must be kafka or events, not 'tape'");
        assertThat(run("replay", "usage", "--from")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--from needs kafka or events");
    }

    @Test
    void aRebuildFromTheEventStoreCannotBeSwappedIn() {
        assertThat(run("replay", "all", "--from", "events", "--swap")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--swap needs --from kafka");
    }

    @Test
    void benchNamesBenchmarksAndTakesWholeNumbers() {
        assertThat(run("bench")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("name the benchmarks to run");
        assertThat(run("bench", "speed")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown benchmark 'speed'");
        assertThat(run("bench", "ingest", "--documents", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--documents must be a whole number");
        assertThat(run("bench", "api", "--rate", "0")).isEqualTo(2);
        assertThat(run("bench", "api", "--seconds")).isEqualTo(2);
        assertThat(run("bench", "api", "--turbo", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --turbo");
    }

    @Test
    void benchOptionsAreParsed() {
        var options = BenchCommand.parse(new String[]{"ingest", "api", "--documents", "20",
                "--rate", "50", "--seconds", "5"});
        assertThat(options.benchmarks()).containsExactlyInAnyOrder(BenchCommand.Benchmark.INGEST,
                BenchCommand.Benchmark.API);
        assertThat(options.documents()).isEqualTo(20);
        assertThat(options.rate()).isEqualTo(50);
        assertThat(options.duration()).hasSeconds(5);
        assertThat(BenchCommand.parse(new String[]{"all"}).benchmarks())
                .containsExactlyInAnyOrder(BenchCommand.Benchmark.values());
    }

    @Test
    void verifyNeedsExactlyOneCustomer() {
        assertThat(run("help")).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("verify --customer <id>");
        assertThat(run("verify")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("use: verify --customer <id>");
        assertThat(run("verify", "--tenant", "c1")).isEqualTo(2);
        assertThat(run("verify", "--customer")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--customer needs a customer id");
        assertThat(run("verify", "--customer", "c1", "--fix")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unexpected argument '--fix'");
    }
}
