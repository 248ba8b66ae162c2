package io.dynrag.app.infra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dynrag.app.infra.Infra.Kind;
import org.junit.jupiter.api.Test;

class InfraSelectionTest {

    @Test
    void embeddedUnlessAskedOtherwise() {
        assertThat(Kind.select(null, () -> true)).isEqualTo(Kind.EMBEDDED);
        assertThat(Kind.select(" ", () -> true)).isEqualTo(Kind.EMBEDDED);
    }

    @Test
    void explicitChoiceWins() {
        assertThat(Kind.select("containers", () -> false)).isEqualTo(Kind.CONTAINERS);
        assertThat(Kind.select("Embedded", () -> true)).isEqualTo(Kind.EMBEDDED);
    }

    @Test
    void autoUsesContainersOnlyWhenDockerAnswers() {
        assertThat(Kind.select("auto", () -> true)).isEqualTo(Kind.CONTAINERS);
        assertThat(Kind.select("auto", () -> false)).isEqualTo(Kind.EMBEDDED);
    }

    @Test
    void rejectsUnknownChoices() {
        assertThatThrownBy(() -> Kind.select("docker", () -> true))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("embedded, containers or auto");
    }
}
