package io.dynrag.app.e2e;

import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.Infra;
import io.dynrag.app.infra.Infrastructure;
import io.dynrag.app.infra.LanceRoots;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.schemas.connection.KafkaConnection;
import io.dynrag.vectorstore.LanceLocation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A system on servers of its own, for the fault suites: some roles run in this JVM, others as
 * processes of their own that a test may {@code kill -9} and start again.
 */
final class ProcessSystem implements AutoCloseable {

    static final String OPERATOR_TOKEN = "fault-operator-token";

    private final Infra infra;
    private final Path dataDir;
    private final Map<String, String> env = new HashMap<>();
    private final List<RoleProcess> processes = new ArrayList<>();
    private RunningRoles inThisJvm;

    /** @param partitions partitions of the topics, the pipeline's unit of parallelism; Lance on a local directory */
    ProcessSystem(int partitions) throws IOException {
        this(partitions, null);
    }

    /**
     * @param partitions partitions of the topics, the pipeline's unit of parallelism
     * @param objectStoreLanceRoot {@code s3://<bucket>/<prefix>} on the S3 server, so that no process shares a
     *                             disk with another, or {@code null} for a directory all of them share
     */
    ProcessSystem(int partitions, String objectStoreLanceRoot) throws IOException {
        infra = Infra.start();
        dataDir = Files.createTempDirectory("dynrag-fault");
        env.put("DYNRAG_DATA_DIR", dataDir.toString());
        env.put("DYNRAG_HTTP_PORT", "0");
        env.put("DYNRAG_MANAGEMENT_PORT", "0");
        env.put("DYNRAG_ADMIN_TOKEN", OPERATOR_TOKEN);
        env.put("DYNRAG_KAFKA_PARTITIONS", Integer.toString(partitions));
        env.put("DYNRAG_CHUNK_TOKENS", "120");
        env.put("DYNRAG_KEY_ENCRYPTION_KEYS", KeyEncryptionKeys.generate("fault").format());
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_DEFAULT_REQUESTS_PER_DAY", "1000000000");
        env.put("DYNRAG_DEFAULT_MAX_DOCUMENTS", "1000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_MINUTE", "1000000");
        env.put("DYNRAG_CEILING_REQUESTS_PER_DAY", "1000000000");
        env.put("DYNRAG_CEILING_MAX_DOCUMENTS", "1000000");
        env.put("DYNRAG_KAFKA_BOOTSTRAP_SERVERS", infra.kafkaBootstrapServers());
        env.put("DYNRAG_JDBC_URL", infra.jdbcUrl());
        env.put("DYNRAG_JDBC_USER", infra.jdbcUser());
        env.put("DYNRAG_JDBC_PASSWORD", infra.jdbcPassword());
        env.put("DYNRAG_S3_ENDPOINT", infra.s3().endpoint().orElseThrow().toString());
        env.put("DYNRAG_S3_REGION", infra.s3().region());
        env.put("DYNRAG_S3_ACCESS_KEY", infra.s3().key().orElseThrow().id());
        env.put("DYNRAG_S3_SECRET_KEY", infra.s3().key().orElseThrow().secret());
        env.put("DYNRAG_S3_BUCKET", infra.s3().bucket());
        env.put("DYNRAG_LANCE_ROOT", objectStoreLanceRoot == null ? lanceRoot().toString() : objectStoreLanceRoot);
    }

    Infra infra() {
        return infra;
    }

    Path lanceRoot() {
        return dataDir.resolve("lance");
    }

    /** What {@code dynrag verify} reads: this system's database, object store and Lance root. */
    VerifyCommand.Servers verifyServers() {
        return new VerifyCommand.Servers(infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                LanceRoots.of(Settings.from(env), infra.s3(), LanceLocation.local(lanceRoot())));
    }

    /** Registers a customer as the operator; @return its id and its first API key */
    static String[] registerCustomer(ApiClient api, String name) {
        ApiClient.Response created = api.postJson("/v1/admin/customers", OPERATOR_TOKEN, Json.object("name", name));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return new String[]{created.json().get("customerId").asText(), created.json().get("apiKey").asText()};
    }

    /** Starts these roles in this JVM (once); {@code overrides} are settings for them only. */
    RunningRoles startInThisJvm(Set<Role> roles, Map<String, String> overrides) {
        Map<String, String> all = new HashMap<>(env);
        all.putAll(overrides);
        Settings settings = Settings.from(all);
        Infrastructure infrastructure = new Infrastructure(KafkaConnection.to(infra.kafkaBootstrapServers()),
                infra.jdbcUrl(), infra.jdbcUser(), infra.jdbcPassword(), infra.s3(),
                LanceRoots.of(settings, infra.s3(), LanceLocation.local(lanceRoot())));
        inThisJvm = RunningRoles.start(roles, settings, infrastructure);
        return inThisJvm;
    }

    /**
     * {@code dynrag run <roles>} as a process of its own, with the same Java and class path as this
     * JVM. Each instance name keeps its own data directory (and log) across restarts.
     *
     * @param overrides settings for this process only
     */
    RoleProcess startProcess(String instance, String roles, Map<String, String> overrides) {
        Path home = dataDir.resolve(instance);
        Path tmp = dataDir.resolve("tmp");
        try {
            Files.createDirectories(home);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElseThrow());
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(flag -> flag.startsWith("--add-opens") || flag.startsWith("--enable-native-access")
                        || flag.startsWith("--sun-misc-unsafe-memory-access"))
                .forEach(command::add);
        command.addAll(List.of("-Xmx512m", "-Djava.io.tmpdir=" + tmp, "-Dpdfbox.fontcache=" + tmp,
                "-cp", System.getProperty("java.class.path"), "io.dynrag.app.Main", "run", roles));
        Path log = dataDir.resolve(instance + ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(env);
        builder.environment().put("DYNRAG_DATA_DIR", home.toString());
        builder.environment().putAll(overrides);
        try {
            RoleProcess process = new RoleProcess(builder.start(), log);
            processes.add(process);
            return process;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command, e);
        }
    }

    /** A role process; its output goes to {@code log}. */
    record RoleProcess(Process process, Path log) {

        /** SIGKILL on Linux: no shutdown hook runs, nothing is flushed or committed. */
        void kill() {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        processes.forEach(RoleProcess::kill);
        if (inThisJvm != null) {
            inThisJvm.close();
        }
        infra.close();
    }
}
