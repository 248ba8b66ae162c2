package io.dynrag.vectorstore.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** The columns of a chunks dataset and the conversion of {@link ChunkRow}s to and from Arrow. */
public final class ChunkTable {

    public static final String DOCUMENT_ID = "document_id";
    public static final String DOC_VERSION = "doc_version";
    public static final String CHUNK_INDEX = "chunk_index";
    public static final String TEXT = "text";
    public static final String TOKEN_COUNT = "token_count";
    public static final String CONTENT_HASH = "content_hash";
    public static final String CHAR_START = "char_start";
    public static final String CHAR_END = "char_end";
    public static final String PAGE = "page";
    public static final String EMBEDDING_MODEL = "embedding_model";
    public static final String VECTOR = "vector";
    /** Added by Lance to nearest-neighbour results. */
    public static final String DISTANCE = "_distance";

    public static final List<String> ALL_COLUMNS = List.of(DOCUMENT_ID, DOC_VERSION, CHUNK_INDEX, TEXT, TOKEN_COUNT,
            CONTENT_HASH, CHAR_START, CHAR_END, PAGE, EMBEDDING_MODEL, VECTOR);

    private final int dimensions;
    private final Schema schema;

    ChunkTable(int dimensions) {
        this.dimensions = dimensions;
        this.schema = new Schema(List.of(
                required(DOCUMENT_ID, ArrowType.Utf8.INSTANCE),
                required(DOC_VERSION, new ArrowType.Int(32, true)),
                required(CHUNK_INDEX, new ArrowType.Int(32, true)),
                required(TEXT, ArrowType.Utf8.INSTANCE),
                required(TOKEN_COUNT, new ArrowType.Int(32, true)),
                required(CONTENT_HASH, ArrowType.Utf8.INSTANCE),
                required(CHAR_START, new ArrowType.Int(32, true)),
                required(CHAR_END, new ArrowType.Int(32, true)),
                new Field(PAGE, FieldType.nullable(new ArrowType.Int(32, true)), null),
                required(EMBEDDING_MODEL, ArrowType.Utf8.INSTANCE),
                new Field(VECTOR, FieldType.notNullable(new ArrowType.FixedSizeList(dimensions)),
                        List.of(required("item", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE))))));
    }

    public Schema schema() {
        return schema;
    }

    /**
     * The rows as one Arrow IPC stream. Lance consumes its input on a thread of its own, so the
     * rows travel as self-contained bytes rather than as buffers the caller still owns.
     */
    public byte[] toArrowStream(List<ChunkRow> rows, BufferAllocator allocator) {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
            root.allocateNew();
            VarCharVector documentId = (VarCharVector) root.getVector(DOCUMENT_ID);
            IntVector docVersion = (IntVector) root.getVector(DOC_VERSION);
            IntVector chunkIndex = (IntVector) root.getVector(CHUNK_INDEX);
            VarCharVector text = (VarCharVector) root.getVector(TEXT);
            IntVector tokenCount = (IntVector) root.getVector(TOKEN_COUNT);
            VarCharVector contentHash = (VarCharVector) root.getVector(CONTENT_HASH);
            IntVector charStart = (IntVector) root.getVector(CHAR_START);
            IntVector charEnd = (IntVector) root.getVector(CHAR_END);
            IntVector page = (IntVector) root.getVector(PAGE);
            VarCharVector embeddingModel = (VarCharVector) root.getVector(EMBEDDING_MODEL);
            FixedSizeListVector vector = (FixedSizeListVector) root.getVector(VECTOR);
            Float4Vector vectorValues = (Float4Vector) vector.getDataVector();
            for (int i = 0; i < rows.size(); i++) {
                ChunkRow row = rows.get(i);
                documentId.setSafe(i, utf8(row.documentId()));
                docVersion.setSafe(i, row.docVersion());
                chunkIndex.setSafe(i, row.chunkIndex());
                text.setSafe(i, utf8(row.text()));
                tokenCount.setSafe(i, row.tokenCount());
                contentHash.setSafe(i, utf8(row.contentHash()));
                charStart.setSafe(i, row.charStart());
                charEnd.setSafe(i, row.charEnd());
                if (row.page() == null) {
                    page.setNull(i);
                } else {
                    page.setSafe(i, row.page());
                }
                embeddingModel.setSafe(i, utf8(row.embeddingModel()));
                vector.setNotNull(i);
                for (int d = 0; d < dimensions; d++) {
                    vectorValues.setSafe(i * dimensions + d, row.vector()[d]);
                }
            }
            vectorValues.setValueCount(rows.size() * dimensions);
            root.setRowCount(rows.size());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (ArrowStreamWriter writer = new ArrowStreamWriter(root, null, Channels.newChannel(bytes))) {
                writer.start();
                writer.writeBatch();
                writer.end();
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise chunk rows", e);
        }
    }

    public ChunkRow row(VectorSchemaRoot root, int i) {
        IntVector page = (IntVector) root.getVector(PAGE);
        return new ChunkRow(
                string(root, DOCUMENT_ID, i),
                integer(root, DOC_VERSION, i),
                integer(root, CHUNK_INDEX, i),
                string(root, TEXT, i),
                integer(root, TOKEN_COUNT, i),
                string(root, CONTENT_HASH, i),
                integer(root, CHAR_START, i),
                integer(root, CHAR_END, i),
                page.isNull(i) ? null : page.get(i),
                string(root, EMBEDDING_MODEL, i),
                vector(root, i));
    }

    public float[] vector(VectorSchemaRoot root, int i) {
        FixedSizeListVector list = (FixedSizeListVector) root.getVector(VECTOR);
        Float4Vector values = (Float4Vector) list.getDataVector();
        float[] vector = new float[dimensions];
        for (int d = 0; d < dimensions; d++) {
            vector[d] = values.get(i * dimensions + d);
        }
        return vector;
    }

    /**
     * The vectors of every row of the batch, one after the other, in one bulk copy: reading them value
     * by value through Arrow costs more than comparing them.
     */
    public static float[] vectors(VectorSchemaRoot batch, int dimensions) {
        float[] values = new float[batch.getRowCount() * dimensions];
        vectorValues(batch, dimensions).get(values);
        return values;
    }

    /**
     * The vectors of every row of the batch, one after the other, as a view of the batch's buffer (valid
     * only while the batch is): for copying rows' vectors straight to where they are kept, in bulk.
     */
    public static FloatBuffer vectorValues(VectorSchemaRoot batch, int dimensions) {
        Float4Vector vectors = (Float4Vector) ((FixedSizeListVector) batch.getVector(VECTOR)).getDataVector();
        return vectors.getDataBuffer().nioBuffer(0, batch.getRowCount() * dimensions * Float.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
    }

    public static String string(VectorSchemaRoot root, String column, int i) {
        return new String(((VarCharVector) root.getVector(column)).get(i), StandardCharsets.UTF_8);
    }

    public static int integer(VectorSchemaRoot root, String column, int i) {
        return ((IntVector) root.getVector(column)).get(i);
    }

    public static Integer nullableInteger(VectorSchemaRoot batch, String column, int row) {
        IntVector vector = (IntVector) batch.getVector(column);
        return vector.isNull(row) ? null : vector.get(row);
    }

    public static float float4(VectorSchemaRoot root, String column, int i) {
        FieldVector vector = root.getVector(column);
        return ((Float4Vector) vector).get(i);
    }

    private static Field required(String name, ArrowType type) {
        return new Field(name, FieldType.notNullable(type), null);
    }

    private static byte[] utf8(String value) {
        return value.getBytes(StandardCharsets.UTF_8);
    }
}
