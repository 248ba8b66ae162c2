package io.dynrag.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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
    void devAndBenchAreLeftToTheLaunchersThatHaveThem() {
        assertThat(run("dev")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("'dev' is not part of this build: it runs in the dev launcher (./dynrag dev)");
        assertThat(run("bench", "startup")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("'bench' is not part of this build: it runs in the benchmarks' launcher "
                        + "(./dynrag bench)");
    }

    /** The production launcher has no embedded servers to fall back to: it names the settings instead. */
    @Test
    void withoutConfiguredServersCommandsNameTheSettingsAndTheDevLauncher() {
        assumeTrue(System.getenv("DYNRAG_JDBC_URL") == null && System.getenv("DYNRAG_S3_ENDPOINT") == null
                && System.getenv("DYNRAG_KAFKA_BOOTSTRAP_SERVERS") == null, "servers are configured here");
        assertThat(run("verify", "--customer", "c1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no servers are configured: set DYNRAG_JDBC_URL "
                + "(and DYNRAG_S3_ENDPOINT unless the objects are on AWS S3), or use the dev launcher (./dynrag)");
        assertThat(run("replay", "all")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("set DYNRAG_JDBC_URL and "
                + "DYNRAG_KAFKA_BOOTSTRAP_SERVERS, or use the dev launcher (./dynrag)");
        // Answered before the password is asked for.
        assertThat(run("admin", "create-admin", "--email", "ops@example.com")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("set DYNRAG_JDBC_URL, or use the dev launcher "
                + "(./dynrag)");
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
