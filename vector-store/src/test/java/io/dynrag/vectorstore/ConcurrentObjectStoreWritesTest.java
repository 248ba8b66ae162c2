package io.dynrag.vectorstore;

import static org.assertj.core.api.Assertions.assertThat;

import io.dynrag.embedded.EmbeddedS3;
import io.dynrag.vectorstore.dataset.ChunkRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that do not know of each other commit to one tenant's dataset on an S3 API server at the
 * same time, as two pipeline instances do (the work topic is keyed by document, so one tenant's
 * documents are written by several instances). Lance commits a version by creating its manifest
 * with a conditional PUT ({@code If-None-Match: *}); the loser of a race re-reads the latest
 * version and merges again. No commit may be lost: every version a writer was told holds its
 * document, and the latest holds every document.
 */
class ConcurrentObjectStoreWritesTest {

    static final String MODEL = "all-minilm-l6-v2";
    private static final String TENANT = "tenant-a";
    private static final int DOCUMENTS = 12;

    @TempDir
    Path s3Directory;
    private EmbeddedS3 s3;
    private LanceLocation location;

    @BeforeEach
    void startS3() throws IOException {
        s3 = ObjectStoreChunkStoreTest.startS3In(s3Directory);
        location = ObjectStoreChunkStoreTest.locationOn(s3, "concurrent");
    }

    @AfterEach
    void stopS3() {
        s3.close();
    }

    @Test
    void twoStoresInOneProcessLoseNoCommit() throws Exception {
        Map<String, Long> versions = new HashMap<>();
        ExecutorService writers = Executors.newFixedThreadPool(2);
        try (LanceChunkStore first = new LanceChunkStore(location);
             LanceChunkStore second = new LanceChunkStore(location)) {
            Future<Map<String, Long>> a = writers.submit(() -> write(first, "a"));
            Future<Map<String, Long>> b = writers.submit(() -> write(second, "b"));
            versions.putAll(a.get(5, TimeUnit.MINUTES));
            versions.putAll(b.get(5, TimeUnit.MINUTES));
        } finally {
            writers.shutdownNow();
        }
        assertNoCommitLost(versions);
    }

    @Test
    void aStoreAndAnotherProcessLoseNoCommit() throws Exception {
        Process other = new ProcessBuilder(javaCommand()).redirectErrorStream(false).start();
        other.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        Map<String, Long> versions = new HashMap<>();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8));
             LanceChunkStore store = new LanceChunkStore(location)) {
            String line = lines.readLine();
            // The other process has written its first document: from here on both write at once.
            for (int d = 0; d < DOCUMENTS; d++) {
                if (line != null && line.startsWith("written ")) {
                    String[] parts = line.split(" ");
                    versions.put(parts[1], Long.parseLong(parts[2]));
                    line = lines.readLine();
                }
                String documentId = "here-" + d;
                versions.put(documentId, store.replaceDocument(TENANT, MODEL, documentId, rowsOf(documentId)));
            }
            for (; line != null; line = lines.readLine()) {
                if (line.startsWith("written ")) {
                    String[] parts = line.split(" ");
                    versions.put(parts[1], Long.parseLong(parts[2]));
                }
            }
        } finally {
            assertThat(other.waitFor(5, TimeUnit.MINUTES)).isTrue();
        }
        assertThat(other.exitValue()).isZero();
        assertThat(versions.keySet()).filteredOn(id -> id.startsWith("there-")).hasSize(DOCUMENTS);
        assertNoCommitLost(versions);
    }

    private List<String> javaCommand() {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(argument -> argument.startsWith("--") || argument.startsWith("-Djava.io.tmpdir"))
                .toList());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ObjectStoreWriterProcess.class.getName());
        command.addAll(List.of(s3.endpoint().toString(), location.root(), TENANT, "there", String.valueOf(DOCUMENTS)));
        return command;
    }

    private Map<String, Long> write(LanceChunkStore store, String prefix) {
        Map<String, Long> versions = new HashMap<>();
        for (int d = 0; d < DOCUMENTS; d++) {
            String documentId = prefix + "-" + d;
            versions.put(documentId, store.replaceDocument(TENANT, MODEL, documentId, rowsOf(documentId)));
        }
        return versions;
    }

    private void assertNoCommitLost(Map<String, Long> versions) {
        assertThat(versions.values()).doesNotHaveDuplicates();
        try (LanceChunkStore reader = new LanceChunkStore(location)) {
            versions.forEach((documentId, version) -> assertThat(
                    reader.documentRowsAsOf(TENANT, MODEL, documentId, version))
                    .as("%s in the version its writer was told", documentId)
                    .containsExactlyElementsOf(rowsOf(documentId)));
            versions.keySet().forEach(documentId -> assertThat(reader.documentRows(TENANT, MODEL, documentId))
                    .as("%s in the latest version", documentId).hasSize(4));
            assertThat(reader.rowCount(TENANT, MODEL)).isEqualTo(4L * versions.size());
        }
    }

    private static List<ChunkRow> rowsOf(String documentId) {
        return ObjectStoreChunkStoreTest.rows(documentId, 1, 4, documentId);
    }
}
