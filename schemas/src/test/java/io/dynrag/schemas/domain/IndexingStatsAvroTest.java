package io.dynrag.schemas.domain;

import io.dynrag.domain.document.IndexingStats;
import io.dynrag.schemas.document.DocumentVersionIndexed;
import io.dynrag.schemas.ingestion.IngestionSucceeded;
import org.apache.avro.Schema;
import org.apache.avro.specific.SpecificRecordBase;
import org.junit.jupiter.api.Test;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The indexing statistics are one concept in three shapes: the domain record and two Avro records.
 * They must hold the same statistics under the same names, and the mapper must carry each one to
 * its own field (every value below is different, so two fields swapped would show).
 */
class IndexingStatsAvroTest {

    private static final IndexingStats STATS = new IndexingStats(12, 2_400, 1_800, 3, 17, "all-minilm-l6-v2",
            Map.of("fetch", 4L, "embed", 310L), 9_876, 4, 2_210, 36);

    private static final String SAME_STATISTICS = "IndexingStats, IngestionSucceeded and DocumentVersionIndexed carry "
            + "the same statistics under the same names, in the same order: a new one goes into the record, both "
            + "schemas (with a default, as a new history version) and IndexingStatsAvro";

    @Test
    void theAvroRecordsHoldExactlyTheRecordsStatistics() {
        List<String> statistics = Arrays.stream(IndexingStats.class.getRecordComponents())
                .map(RecordComponent::getName).toList();

        assertThat(fieldNames(IngestionSucceeded.getClassSchema())).as(SAME_STATISTICS).isEqualTo(statistics);
        assertThat(fieldNames(DocumentVersionIndexed.getClassSchema()))
                .as(SAME_STATISTICS + " (the event adds the document version first)")
                .isEqualTo(concat("version", statistics));
    }

    @Test
    void eachStatisticReachesItsOwnFieldOfTheResult() {
        assertCarriesEveryStatistic(IndexingStatsAvro.toSucceeded(STATS));
    }

    @Test
    void eachStatisticReachesItsOwnFieldOfTheEvent() {
        DocumentVersionIndexed indexed = IndexingStatsAvro.toIndexedEvent(5, STATS);

        assertThat(indexed.getVersion()).isEqualTo(5);
        assertCarriesEveryStatistic(indexed);
    }

    @Test
    void theResultReadsBackAsTheSameStatistics() {
        assertThat(IndexingStatsAvro.fromSucceeded(IndexingStatsAvro.toSucceeded(STATS))).isEqualTo(STATS);
    }

    @Test
    void theEventReadsBackAsTheSameStatistics() {
        assertThat(IndexingStatsAvro.fromIndexedEvent(IndexingStatsAvro.toIndexedEvent(5, STATS))).isEqualTo(STATS);
    }

    private static void assertCarriesEveryStatistic(SpecificRecordBase avro) {
        for (RecordComponent statistic : IndexingStats.class.getRecordComponents()) {
            assertThat(avro.get(statistic.getName())).as(statistic.getName()).isEqualTo(valueOf(statistic));
        }
    }

    private static Object valueOf(RecordComponent statistic) {
        try {
            return statistic.getAccessor().invoke(STATS);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> fieldNames(Schema schema) {
        return schema.getFields().stream().map(Schema.Field::name).toList();
    }

    private static List<String> concat(String first, List<String> rest) {
        return Stream.concat(Stream.of(first), rest.stream()).toList();
    }
}
