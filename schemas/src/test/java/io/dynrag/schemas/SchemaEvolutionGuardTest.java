package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.stream.Stream;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.apache.avro.specific.SpecificData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fails the build when a schema changes without a new history version, or changes so that
 * data written with an earlier version can no longer be read.
 */
class SchemaEvolutionGuardTest {

    private static final SchemaHistory PUBLISHED = SchemaHistory.published();

    static Stream<Schema> currentTopLevelSchemas() {
        // Every Avro topic: one added later cannot escape the guard.
        return Topics.all().stream()
                .filter(topic -> topic.valueSerde() instanceof AvroSerde<?>)
                .map(topic -> ((AvroSerde<?>) topic.valueSerde()).type())
                .map(type -> SpecificData.get().getSchema(type));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentTopLevelSchemas")
    void currentSchemaIsTheLatestReleasedVersion(Schema current) {
        SchemaHistory.Version latest = PUBLISHED.latest(current.getFullName());

        assertThat(BackwardCompatibility.publishedForm(latest.schema()))
                .as("%s differs from %s: release the change by adding it as v%d",
                        current.getFullName(),
                        PUBLISHED.resourceName(current.getFullName(), latest.number()),
                        latest.number() + 1)
                .isEqualTo(BackwardCompatibility.publishedForm(current));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentTopLevelSchemas")
    void currentSchemaReadsDataOfEveryReleasedVersion(Schema current) {
        List<SchemaHistory.Version> history = PUBLISHED.versions(current.getFullName());

        assertThat(history).isNotEmpty();
        assertThat(BackwardCompatibility.problemsReading(current, history)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("currentTopLevelSchemas")
    void everyReleasedVersionReadsDataOfEveryEarlierVersion(Schema current) {
        List<SchemaHistory.Version> history = PUBLISHED.versions(current.getFullName());

        for (int reader = 0; reader < history.size(); reader++) {
            assertThat(BackwardCompatibility.problemsReading(history.get(reader).schema(), history.subList(0, reader)))
                    .as("v%d", history.get(reader).number())
                    .isEmpty();
        }
    }

    @Test
    void anIncompatibleChangeIsReported() throws IOException {
        Schema changed = testSchema("incompatible-change/DocumentEvent.avsc");
        List<SchemaHistory.Version> history = PUBLISHED.versions(changed.getFullName());

        assertThat(BackwardCompatibility.compatibility(changed, history.getFirst()))
                .isEqualTo(SchemaCompatibilityType.INCOMPATIBLE);
        assertThat(BackwardCompatibility.problemsReading(changed, history))
                .anySatisfy(problem -> assertThat(problem)
                        .contains("DocumentVersionFailed", "READER_FIELD_MISSING_DEFAULT_VALUE", "attempts"))
                .anySatisfy(problem -> assertThat(problem)
                        .contains("DocumentVersionUploaded", "TYPE_MISMATCH", "INT not compatible with writer type: LONG"));
    }

    @Test
    void aCompatibleChangeIsAcceptedButStillNeedsANewVersion() {
        // Derived from the latest release, so the example stays a compatible change as the schema evolves.
        Schema released = PUBLISHED.latest("io.dynrag.schemas.document.DocumentEvent").schema();
        String withOptionalField = released.toString().replaceFirst("\"fields\":\\[",
                "\"fields\":[{\"name\":\"traceId\",\"type\":[\"null\",\"string\"],\"default\":null},");
        Schema changed = new Schema.Parser().parse(withOptionalField);
        assertThat(changed.getField("traceId")).isNotNull();
        List<SchemaHistory.Version> history = PUBLISHED.versions(changed.getFullName());

        assertThat(BackwardCompatibility.problemsReading(changed, history)).isEmpty();
        assertThat(BackwardCompatibility.publishedForm(changed))
                .isNotEqualTo(BackwardCompatibility.publishedForm(history.getLast().schema()));
    }

    @Test
    void aDocumentationChangeStillNeedsANewVersion() {
        Schema released = PUBLISHED.latest("io.dynrag.schemas.customer.CustomerEvent").schema();
        Schema redocumented = new Schema.Parser().parse(
                released.toString().replace("An operator lifted the customer's suspension.", "A suspension was lifted."));

        assertThat(redocumented).isEqualTo(released);
        assertThat(BackwardCompatibility.publishedForm(redocumented))
                .isNotEqualTo(BackwardCompatibility.publishedForm(released));
    }

    private static Schema testSchema(String resource) throws IOException {
        try (InputStream in = SchemaEvolutionGuardTest.class.getResourceAsStream(resource)) {
            assertThat(in).as(resource).isNotNull();
            return new Schema.Parser().parse(in);
        }
    }
}
