package io.dynrag.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.schemas.document.DocumentEvent;
import org.junit.jupiter.api.Test;

class SchemaHistoryTest {

    @Test
    void publishedHistoryIsReadFromTheJarResources() {
        var versions = SchemaHistory.published().versions("io.dynrag.schemas.document.DocumentEvent");

        assertThat(versions).extracting(SchemaHistory.Version::number).startsWith(1);
        assertThat(versions).allSatisfy(version ->
                assertThat(version.schema().getFullName()).isEqualTo(DocumentEvent.getClassSchema().getFullName()));
        assertThat(SchemaHistory.published().resourceName("a.B", 3)).isEqualTo("io/dynrag/schemas/history/a.B/v3.avsc");
    }

    @Test
    void unknownSchemaHasNoHistory() {
        assertThat(SchemaHistory.published().versions("io.dynrag.schemas.Nothing")).isEmpty();
        assertThatThrownBy(() -> SchemaHistory.published().latest("io.dynrag.schemas.Nothing"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("io/dynrag/schemas/history/io.dynrag.schemas.Nothing/");
    }

    @Test
    void aFileDefiningAnotherSchemaIsRejected() {
        SchemaHistory misplaced = new SchemaHistory("io/dynrag/schemas/misplaced", getClass().getClassLoader());

        assertThatThrownBy(() -> misplaced.versions("io.dynrag.test.Expected"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("defines io.dynrag.test.Actual instead of io.dynrag.test.Expected");
    }
}
