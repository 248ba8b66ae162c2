package io.dynrag.platform.origin;

import org.axonframework.commandhandling.CommandMessage;
import org.axonframework.commandhandling.GenericCommandMessage;
import org.axonframework.messaging.MetaData;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OriginMetadataTest {

    private final OriginMetadata interceptor = new OriginMetadata();

    @AfterEach
    void forgetOrigin() {
        CurrentOrigin.clear();
    }

    @Test
    void aCommandCarriesTheOriginOfTheThreadThatSendsIt() {
        CurrentOrigin.set(new Origin("user:u-1", "req-42"));

        CommandMessage<?> sent = interceptor.handle(GenericCommandMessage.asCommandMessage("upload"));

        assertThat(sent.getMetaData()).containsEntry("actor", "user:u-1").containsEntry("correlationId", "req-42");
    }

    @Test
    void aCommandThatAlreadyNamesItsActorKeepsIt() {
        CurrentOrigin.set(new Origin("user:u-1", "req-42"));
        CommandMessage<?> explicit = GenericCommandMessage.asCommandMessage("upload")
                .withMetaData(MetaData.from(Map.of("actor", "system:replay", "correlationId", "r-1")));

        CommandMessage<?> sent = interceptor.handle(explicit);

        assertThat(sent.getMetaData()).containsEntry("actor", "system:replay").containsEntry("correlationId", "r-1");
    }

    @Test
    void aCommandSentWithoutAnOriginIsStillRecordedAsUnknown() {
        CommandMessage<?> sent = interceptor.handle(GenericCommandMessage.asCommandMessage("upload"));

        assertThat(sent.getMetaData()).containsEntry("actor", OriginMetadata.UNKNOWN_ACTOR);
        assertThat(Origin.isValidCorrelationId((String) sent.getMetaData().get("correlationId"))).isTrue();
    }

    @Test
    void actingAsSomeoneElseKeepsTheCorrelationIdAndScopedOriginsAreRestored() {
        CurrentOrigin.set(new Origin(Origin.ANONYMOUS, "req-1"));
        CurrentOrigin.actAs("apiKey:k-1");
        assertThat(CurrentOrigin.get()).contains(new Origin("apiKey:k-1", "req-1"));

        String inside = CurrentOrigin.call(Origin.system("pipeline", "evt-9"), () -> CurrentOrigin.get().orElseThrow().actor());

        assertThat(inside).isEqualTo("system:pipeline");
        assertThat(CurrentOrigin.get()).contains(new Origin("apiKey:k-1", "req-1"));
        CurrentOrigin.clear();
        CurrentOrigin.run(Origin.system("budget", "evt-9"), () -> { });
        assertThat(CurrentOrigin.get()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "req-42", "A.b_c:d-e", "0123456789"})
    void correlationIdsAreShortPlainTokens(String id) {
        assertThat(Origin.isValidCorrelationId(id)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "has space", "semi;colon", "new\nline", "ünïcode", "slash/y"})
    void anythingElseIsNotACorrelationId(String id) {
        assertThat(Origin.isValidCorrelationId(id)).isFalse();
        assertThatThrownBy(() -> new Origin("user:u-1", id)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aCorrelationIdHasAtMost128Characters() {
        assertThat(Origin.isValidCorrelationId("x".repeat(128))).isTrue();
        assertThat(Origin.isValidCorrelationId("x".repeat(129))).isFalse();
        assertThat(Origin.isValidCorrelationId(null)).isFalse();
    }
}
