package io.dynrag.app.e2e;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.api.document.DocumentObjects;
import io.dynrag.api.document.OrphanObjectSweeper;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.app.roles.Role;
import io.dynrag.app.verify.StoredEventHistory;
import io.dynrag.app.verify.VerifyCommand;
import io.dynrag.embedded.FreePorts;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.persistence.Migrations;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The command API role, as a process of its own, killed with {@code kill -9} in the middle of
 * uploads: after storing the file and before the upload is recorded, and after the upload is
 * recorded but before its answer is kept under the request's {@code Idempotency-Key}. The client's
 * retry with the same key creates nothing twice, the objects the dead instance left behind are
 * swept, and the documents are indexed and billed once.
 *
 * <p>Where the kill lands is made certain with PostgreSQL row locks the test holds: on the
 * customer's row, which recording an upload updates, and on the key's record, which keeping the
 * answer updates.
 */
@Tag("fault")
class ApiCrashTest {

    /**
     * The killed process's sockets are closed by the system at once, but the client learns it on its own
     * thread, a moment later (longer on a loaded machine): its request must fail, however soon.
     */
    private static final Duration CLIENT_NOTICES_THE_CLOSE = Duration.ofSeconds(30);

    private ProcessSystem system;
    private HikariDataSource pool;
    private int port;
    private ApiClient api;
    private ProcessSystem.RoleProcess apiProcess;

    @BeforeEach
    void startSystem() throws IOException {
        system = new ProcessSystem(2);
        system.startInThisJvm(EnumSet.of(Role.PIPELINE, Role.PROJECTIONS), Map.of());
        pool = DataSources.pool(system.infra().jdbcUrl(), system.infra().jdbcUser(), system.infra().jdbcPassword(),
                Migrations.SCHEMA, 3);
        port = FreePorts.pick();
        startApi();
    }

    @AfterEach
    void stopSystem() {
        if (pool != null) {
            pool.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    void killedBetweenStoringTheFileAndRecordingTheUpload() throws Exception {
        String[] customer = ProcessSystem.registerCustomer(api, "Killed Before Recording");
        String tenant = "tenants/" + customer[0] + "/";
        String key = UUID.randomUUID().toString();
        byte[] retried = "# Retried\n\nThe client retries this upload with its Idempotency-Key.\n"
                .getBytes(StandardCharsets.UTF_8);
        byte[] abandoned = "# Abandoned\n\nNobody retries this upload.\n".getBytes(StandardCharsets.UTF_8);

        try (Connection locker = pool.getConnection()) {
            locker.setAutoCommit(false);
            lock(locker, "SELECT 1 FROM customer_account WHERE customer_id = ? FOR UPDATE", customer[0]);
            CompletableFuture<ApiClient.Response> first = uploadAsync(customer[1], key, "retried.md", retried);
            CompletableFuture<ApiClient.Response> unkeyed = uploadAsync(customer[1], null, "abandoned.md", abandoned);
            await().atMost(Duration.ofSeconds(30)).alias("both files stored, both uploads waiting to be recorded")
                    .until(() -> objectKeys(tenant).size() == 2 && sessionsWaitingForLocks() >= 2);
            killApi();
            locker.rollback();
            assertThat(first).as("the client got no answer").failsWithin(CLIENT_NOTICES_THE_CLOSE);
            assertThat(unkeyed).failsWithin(CLIENT_NOTICES_THE_CLOSE);
        }
        assertThat(events().documentIdsOf(customer[0])).as("nothing was recorded").isEmpty();
        assertThat(objectKeys(tenant)).as("the dead instance left its files behind").hasSize(2);

        startApi();
        ApiClient.Response retry = retryWhileInProgress(customer[1], key, "retried.md", retried);
        assertThat(retry.status()).as(retry.body()).isEqualTo(202);
        assertThat(retry.header(IdempotentPosts.REPLAYED_HEADER)).as("the retry ran the upload").isEmpty();
        String documentId = retry.json().get("documentId").asText();
        ApiClient.Response again = upload(customer[1], key, "retried.md", retried);
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.header(IdempotentPosts.REPLAYED_HEADER)).contains("true");
        assertThat(again.json().get("documentId").asText()).isEqualTo(documentId);

        // The retry stored its bytes where the killed attempt had; the unretried upload's file is an orphan.
        List<String> swept = sweepOrphans(tenant);
        assertThat(swept).hasSize(1);
        assertThat(DocumentObjects.documentIdOf(swept.getFirst())).isPresent().get().isNotEqualTo(documentId);
        assertThat(objectKeys(tenant)).singleElement()
                .satisfies(object -> assertThat(DocumentObjects.documentIdOf(object)).contains(documentId));

        assertIndexedAndBilledOnce(customer, documentId);
        printFigures("killed between storing the file and recording the upload", 2, 1,
                events().documentIdsOf(customer[0]).size(), swept.size());
    }

    @Test
    void killedAfterRecordingTheUploadBeforeItsAnswerWasKept() throws Exception {
        String[] customer = ProcessSystem.registerCustomer(api, "Killed Before Answering");
        String tenant = "tenants/" + customer[0] + "/";
        String key = UUID.randomUUID().toString();
        byte[] content = "# Recorded\n\nRecorded, then its instance died before answering.\n"
                .getBytes(StandardCharsets.UTF_8);

        String recorded;
        try (Connection customerRow = pool.getConnection(); Connection keyRecord = pool.getConnection()) {
            customerRow.setAutoCommit(false);
            keyRecord.setAutoCommit(false);
            lock(customerRow, "SELECT 1 FROM customer_account WHERE customer_id = ? FOR UPDATE", customer[0]);
            CompletableFuture<ApiClient.Response> first = uploadAsync(customer[1], key, "recorded.md", content);
            await().atMost(Duration.ofSeconds(30)).alias("the file stored, the upload waiting to be recorded")
                    .until(() -> objectKeys(tenant).size() == 1 && sessionsWaitingForLocks() >= 1);
            // The key was claimed before the upload ran; holding its record keeps the answer from being kept.
            lock(keyRecord, "SELECT 1 FROM idempotency_record WHERE idempotency_key = ? FOR UPDATE", key);
            customerRow.commit();
            await().atMost(Duration.ofSeconds(30)).alias("the upload recorded, its answer waiting to be kept")
                    .until(() -> events().documentIdsOf(customer[0]).size() == 1
                            && sessionsWaitingForLocks() >= 1);
            recorded = events().documentIdsOf(customer[0]).getFirst();
            killApi();
            keyRecord.rollback();
            assertThat(first).as("the client got no answer").failsWithin(CLIENT_NOTICES_THE_CLOSE);
        }

        startApi();
        ApiClient.Response retry = retryWhileInProgress(customer[1], key, "recorded.md", content);
        assertThat(retry.status()).as(retry.body()).isEqualTo(202);
        assertThat(retry.json().get("documentId").asText()).as("the retry answers for the recorded document")
                .isEqualTo(recorded);
        assertThat(events().documentIdsOf(customer[0])).as("no second document").containsExactly(recorded);
        assertThat(sweepOrphans(tenant)).isEmpty();
        assertThat(objectKeys(tenant)).hasSize(1);

        assertIndexedAndBilledOnce(customer, recorded);
        printFigures("killed after recording the upload, before its answer was kept", 1, 1,
                events().documentIdsOf(customer[0]).size(), 0);
    }

    /** The suite's figures, as docs/development.md records them. */
    private static void printFigures(String scenario, int interrupted, int retried, int documents, int swept) {
        System.out.printf("API kill -9: %s | uploads interrupted %d | retried with the key %d | documents %d "
                + "(duplicates %d) | orphaned objects swept %d | indexed and billed once%n", scenario, interrupted,
                retried, documents, documents - retried, swept);
    }

    private void assertIndexedAndBilledOnce(String[] customer, String documentId) {
        await().atMost(Duration.ofMinutes(2)).alias("the document indexed")
                .until(() -> api.get("/v1/documents/" + documentId, customer[1]).json().get("status").asText(),
                        "INDEXED"::equals);
        String range = "from=" + LocalDate.now(ZoneOffset.UTC).minusDays(1) + "&to=" + LocalDate.now(ZoneOffset.UTC);
        await().atMost(Duration.ofSeconds(60)).alias("usage counts the indexed document")
                .until(() -> api.get("/v1/usage?" + range, customer[1]).json().get("total"),
                        total -> total.get("documentsIndexed").asLong() == 1);
        var total = api.get("/v1/usage?" + range, customer[1]).json().get("total");
        assertThat(total.get("documentsUploaded").asLong()).isEqualTo(1);
        assertThat(total.get("documentsFailed").asLong()).isZero();

        ByteArrayOutputStream report = new ByteArrayOutputStream();
        int status = VerifyCommand.verify(system.verifyServers(), customer[0],
                new PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(status).as(report.toString(StandardCharsets.UTF_8)).isZero();
    }

    private void startApi() {
        apiProcess = system.startProcess("api", "api", Map.of(
                "DYNRAG_HTTP_PORT", Integer.toString(port),
                "DYNRAG_IDEMPOTENCY_LEASE_SECONDS", "5"));
        api = new ApiClient(port);
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions().alias("the API process serves (log "
                        + apiProcess.log() + ")")
                .until(() -> api.get("/health", null).status() == 200);
    }

    /**
     * {@code kill -9}, then what PostgreSQL does once it notices the connections are gone: it ends their
     * sessions, rolling back what they had not committed. (A session waiting for a lock notices only
     * when it gets the lock, so the test ends them itself before letting go of its locks.)
     */
    private void killApi() throws SQLException {
        apiProcess.kill();
        try (Connection connection = pool.getConnection(); var statement = connection.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()");
        }
    }

    private static void lock(Connection connection, String sql, String id) throws SQLException {
        try (var statement = connection.prepareStatement(sql)) {
            statement.setString(1, id);
            try (var rows = statement.executeQuery()) {
                assertThat(rows.next()).as("a row to lock: " + sql).isTrue();
            }
        }
    }

    private long sessionsWaitingForLocks() throws SQLException {
        try (Connection connection = pool.getConnection(); var statement = connection.createStatement();
             var rows = statement.executeQuery("SELECT count(*) FROM pg_stat_activity "
                     + "WHERE wait_event_type = 'Lock' AND datname = current_database()")) {
            rows.next();
            return rows.getLong(1);
        }
    }


    private ApiClient.Response upload(String apiKey, String idempotencyKey, String name, byte[] content) {
        Map<String, String> headers = new LinkedHashMap<>(ApiClient.bearer(apiKey));
        if (idempotencyKey != null) {
            headers.put("Idempotency-Key", idempotencyKey);
        }
        return api.uploadTo("/v1/documents", headers, "file", name, content, null);
    }

    private CompletableFuture<ApiClient.Response> uploadAsync(String apiKey, String idempotencyKey, String name,
                                                             byte[] content) {
        return CompletableFuture.supplyAsync(() -> upload(apiKey, idempotencyKey, name, content));
    }

    /** As a client does: {@code 409} means the first attempt may still run, so it waits and asks again. */
    private ApiClient.Response retryWhileInProgress(String apiKey, String idempotencyKey, String name,
                                                    byte[] content) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        ApiClient.Response response = upload(apiKey, idempotencyKey, name, content);
        while (response.status() == 409 && System.nanoTime() < deadline) {
            Thread.sleep(1000);
            response = upload(apiKey, idempotencyKey, name, content);
        }
        return response;
    }

    private List<String> sweepOrphans(String tenant) {
        try (S3Client s3 = S3Clients.create(system.infra().s3())) {
            return new OrphanObjectSweeper(new DocumentObjects(s3, system.infra().s3().bucket()), pool::getConnection,
                    Clock.systemUTC()).sweep(tenant, Duration.ZERO);
        }
    }

    private List<String> objectKeys(String prefix) {
        List<String> keys = new ArrayList<>();
        try (S3Client s3 = S3Clients.create(system.infra().s3())) {
            s3.listObjectsV2Paginator(b -> b.bucket(system.infra().s3().bucket()).prefix(prefix))
                    .contents().forEach(object -> keys.add(object.key()));
        }
        return keys;
    }

    private StoredEventHistory events() {
        return new StoredEventHistory(pool);
    }
}
