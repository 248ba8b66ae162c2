package io.dynrag.vectorstore.read;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.Version;
import com.lancedb.lance.ipc.ScanOptions;
import io.dynrag.vectorstore.dataset.ChunkRow;
import io.dynrag.vectorstore.dataset.ChunkTable;
import io.dynrag.vectorstore.dataset.Datasets;
import io.dynrag.vectorstore.dataset.Scans;
import io.dynrag.vectorstore.dataset.WriterFence;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * Reads a tenant's dataset as it is now or as it was in an earlier version: a document's rows,
 * its stored vectors, the versions kept, and row counts. A dataset that does not exist reads as
 * empty.
 */
public final class ChunkReader {

    private final Datasets datasets;

    public ChunkReader(Datasets datasets) {
        this.datasets = datasets;
    }

    /** Vectors of the document's current rows by content hash, to reuse for unchanged chunks. */
    public Map<String, float[]> vectorsByContentHash(String customerId, String model, String documentId) {
        Objects.requireNonNull(documentId, "documentId");
        return datasets.read(customerId, model, OptionalLong.empty(), Map.of(), dataset -> {
            Map<String, float[]> vectors = new LinkedHashMap<>();
            ChunkTable table = datasets.tableOf(dataset);
            Scans.scan(dataset, Scans.ofDocument(documentId, List.of(ChunkTable.CONTENT_HASH, ChunkTable.VECTOR)),
                    (batch, i) -> vectors.putIfAbsent(ChunkTable.string(batch, ChunkTable.CONTENT_HASH, i),
                            table.vector(batch, i)));
            return vectors;
        });
    }

    /**
     * The document's rows by chunk index; empty if there are none.
     *
     * @param version the dataset version to read, empty for the latest
     */
    public List<ChunkRow> documentRows(String customerId, String model, String documentId, OptionalLong version) {
        Objects.requireNonNull(documentId, "documentId");
        return datasets.read(customerId, model, version, List.of(), dataset -> {
            List<ChunkRow> rows = new ArrayList<>();
            ChunkTable table = datasets.tableOf(dataset);
            Scans.scan(dataset, Scans.ofDocument(documentId, ChunkTable.ALL_COLUMNS),
                    (batch, i) -> rows.add(table.row(batch, i)));
            rows.sort(Comparator.comparingInt(ChunkRow::chunkIndex));
            return rows;
        });
    }

    /** The latest version of the tenant's dataset for the model, empty if it does not exist. */
    public OptionalLong latestVersion(String customerId, String model) {
        return datasets.read(customerId, model, OptionalLong.empty(), OptionalLong.empty(),
                dataset -> OptionalLong.of(dataset.version()));
    }

    /** Every version the tenant's dataset for the model still has, oldest first; empty if it does not exist. */
    public List<Long> versions(String customerId, String model) {
        return datasets.read(customerId, model, OptionalLong.empty(), List.of(),
                dataset -> dataset.listVersions().stream().map(Version::getId).sorted().toList());
    }

    /** How many rows each document has in dataset version {@code datasetVersion}; reads no text or vectors. */
    public Map<String, Integer> rowsPerDocumentAsOf(String customerId, String model, long datasetVersion) {
        return datasets.read(customerId, model, OptionalLong.of(Datasets.checkVersion(datasetVersion)), Map.of(),
                dataset -> {
                    Map<String, Integer> rows = new TreeMap<>();
                    Scans.scan(dataset, new ScanOptions.Builder().columns(List.of(ChunkTable.DOCUMENT_ID)).build(),
                            (batch, i) -> rows.merge(ChunkTable.string(batch, ChunkTable.DOCUMENT_ID, i), 1,
                                    Integer::sum));
                    rows.remove(WriterFence.DOCUMENT_ID);
                    return rows;
                });
    }

    /** Rows in the latest version of the tenant's dataset for the model; 0 if it does not exist. */
    public long rowCount(String customerId, String model) {
        return datasets.read(customerId, model, OptionalLong.empty(), 0L,
                dataset -> dataset.countRows(WriterFence.NOT_FENCE));
    }
}
