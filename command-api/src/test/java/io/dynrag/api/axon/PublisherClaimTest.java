package io.dynrag.api.axon;

import io.dynrag.platform.http.Json;
import io.dynrag.platform.testing.TestDatabase;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.RegisterCustomer;
import org.axonframework.eventhandling.EventMessage;
import org.axonframework.eventhandling.EventMessageHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Two instances over one event store, in one process as the end-to-end tests run them: the publisher's
 * segment is claimed by one of them at a time, so each event is published once, under one transactional id.
 */
class PublisherClaimTest {

    private static final CustomerConfiguration DEFAULTS = new CustomerConfiguration(600, 100_000, 10_000, 25L << 20,
            Set.of("text/plain"), 200, 0, CustomerConfiguration.LOCAL_MODEL, null, 80, null, 30);
    private static final EncryptedText SEALED = new EncryptedText("k1", "c2VjcmV0");

    private final TestDatabase database = TestDatabase.get();
    private final Recorder first = new Recorder();
    private final Recorder second = new Recorder();
    private EventSourcing one;
    private EventSourcing other;

    @BeforeEach
    void start() {
        database.truncate("token_entry", "domain_event_entry");
        one = new EventSourcing(database.transactions(), Json.eventMapper(), first, 10, Map.of());
        other = new EventSourcing(database.transactions(), Json.eventMapper(), second, 10, Map.of());
        one.start();
        other.start();
    }

    @AfterEach
    void stop() {
        one.close();
        other.close();
    }

    @Test
    void eachEventIsPublishedByOneInstanceOnly() {
        for (int i = 0; i < 20; i++) {
            (i % 2 == 0 ? one : other).commandGateway()
                    .sendAndWait(new RegisterCustomer("claim-" + i, SEALED, SEALED, DEFAULTS));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> first.handled.size() + second.handled.size() >= 20);
        // A second claimant would hand every event over again: nothing more may arrive.
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5))
                .until(() -> first.handled.size() + second.handled.size() == 20);

        List<String> published = Stream.concat(first.handled.stream(), second.handled.stream()).toList();
        assertThat(published).as("events handed to a publisher, by either instance").doesNotHaveDuplicates()
                .hasSize(20);
        assertThat(List.of(first.handled.size(), second.handled.size())).as("events each instance published")
                .contains(0);
    }

    private static final class Recorder implements EventMessageHandler {

        final List<String> handled = new CopyOnWriteArrayList<>();

        @Override
        public Object handle(EventMessage<?> event) {
            handled.add(event.getIdentifier());
            return null;
        }
    }
}
