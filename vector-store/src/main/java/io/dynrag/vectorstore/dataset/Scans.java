package io.dynrag.vectorstore.dataset;

import com.lancedb.lance.Dataset;
import com.lancedb.lance.ipc.LanceScanner;
import com.lancedb.lance.ipc.ScanOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;

/** Scanning a dataset's rows batch by batch, and the SQL filters scans and writes use. */
public final class Scans {

    private Scans() {
    }

    /** Sees one row of a scanned batch; the batch's buffers are valid only during the call. */
    @FunctionalInterface
    public interface RowVisitor {
        void visit(VectorSchemaRoot batch, int row);
    }

    public static void scan(Dataset dataset, ScanOptions options, RowVisitor visitor) {
        scanBatches(dataset, options, batch -> {
            for (int i = 0; i < batch.getRowCount(); i++) {
                visitor.visit(batch, i);
            }
        });
    }

    /** Like {@link #scan}, a batch at a time; the batch's buffers are valid only during the call. */
    public static void scanBatches(Dataset dataset, ScanOptions options, Consumer<VectorSchemaRoot> visitor) {
        LanceScanner scanner = dataset.newScan(options);
        try (ArrowReader reader = scanner.scanBatches()) {
            while (reader.loadNextBatch()) {
                visitor.accept(reader.getVectorSchemaRoot());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot scan " + dataset.uri(), e);
        } finally {
            close(scanner);
        }
    }

    /** The columns of one document's rows. */
    public static ScanOptions ofDocument(String documentId, List<String> columns) {
        return new ScanOptions.Builder()
                .columns(columns)
                .filter(isDocument(documentId))
                .build();
    }

    /** The SQL condition that a row belongs to the document. */
    public static String isDocument(String documentId) {
        return ChunkTable.DOCUMENT_ID + " = " + sqlString(documentId);
    }

    /** A SQL string literal: ids are data, never part of the filter's syntax. */
    public static String sqlString(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void close(LanceScanner scanner) {
        try {
            scanner.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("cannot close a Lance scanner", e);
        }
    }
}
