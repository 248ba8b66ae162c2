package io.dynrag.api.audit;

import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The tool-call log on a real PostgreSQL: what it keeps, how it pages, and when its rows go. */
class ToolCallLogTest {

    private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");
    private static final String CUSTOMER = UUID.randomUUID().toString();
    private static final String OTHER_CUSTOMER = UUID.randomUUID().toString();
    private static final String DOCUMENT = UUID.randomUUID().toString();

    private final TestDatabase database = TestDatabase.get();
    private final ToolCallLog log = new ToolCallLog(database.transactions());

    @BeforeEach
    @AfterEach
    void empty() {
        database.truncate("mcp_tool_call");
    }

    @Test
    void keepsEachCallWithItsActorCorrelationIdOutcomeAndDocuments() {
        ToolCall searched = ToolCall.ok(CUSTOMER, T0, "search", "apiKey:k1", "corr-1", List.of(DOCUMENT, DOCUMENT), 3);
        ToolCall refused = ToolCall.refused(CUSTOMER, T0.plusSeconds(1), "get_document", "user:u1", "corr-2", 404,
                "not_found", List.of(DOCUMENT));
        log.record(searched);
        log.record(refused);

        ToolCallLog.Page page = log.page(query(Optional.of(CUSTOMER), Optional.empty(), -1, 10));
        assertThat(page.calls()).containsExactly(
                ToolCall.ok(CUSTOMER, T0, "search", "apiKey:k1", "corr-1", List.of(DOCUMENT), 3), refused);
        assertThat(page.calls().get(1).outcome()).isEqualTo(ToolCall.REFUSED);
        assertThat(page.nextCursor()).isEmpty();
    }

    @Test
    void aCustomerSeesOnlyItsOwnCallsAndFiltersByToolAndTime() {
        log.record(ToolCall.ok(CUSTOMER, T0, "search", "user:u1", "c1", List.of(), 0));
        log.record(ToolCall.ok(OTHER_CUSTOMER, T0, "search", "user:u2", "c2", List.of(), 0));
        log.record(ToolCall.ok(CUSTOMER, T0.plusSeconds(60), "list_documents", "user:u1", "c3", List.of(), 0));

        assertThat(log.page(query(Optional.of(CUSTOMER), Optional.empty(), -1, 10)).calls())
                .extracting(ToolCall::correlationId).containsExactly("c1", "c3");
        assertThat(log.page(query(Optional.of(OTHER_CUSTOMER), Optional.empty(), -1, 10)).calls())
                .extracting(ToolCall::correlationId).containsExactly("c2");
        assertThat(log.page(query(Optional.of(CUSTOMER), Optional.of("search"), -1, 10)).calls())
                .extracting(ToolCall::correlationId).containsExactly("c1");
        assertThat(log.page(new ToolCallQuery(Optional.of(CUSTOMER), Optional.empty(), Optional.of(T0.plusSeconds(1)),
                Optional.empty(), -1, 10)).calls()).extracting(ToolCall::correlationId).containsExactly("c3");
        assertThat(log.page(new ToolCallQuery(Optional.of(CUSTOMER), Optional.empty(), Optional.of(T0),
                Optional.of(T0.plusSeconds(60)), -1, 10)).calls()).extracting(ToolCall::correlationId)
                .as("from is inclusive, to exclusive").containsExactly("c1");
        assertThat(log.page(query(Optional.empty(), Optional.empty(), -1, 10)).calls()).hasSize(3);
    }

    @Test
    void pagesFollowTheCursorAndYieldEveryCallOnceInOrder() {
        IntStream.range(0, 7).forEach(i -> log.record(ToolCall.ok(CUSTOMER, T0.plusSeconds(i), "search", "user:u1",
                "c" + i, List.of(), i)));

        List<String> seen = new ArrayList<>();
        long after = -1;
        while (true) {
            ToolCallLog.Page page = log.page(query(Optional.of(CUSTOMER), Optional.empty(), after, 3));
            page.calls().forEach(call -> seen.add(call.correlationId()));
            if (page.nextCursor().isEmpty()) {
                break;
            }
            after = AuditCursor.position(page.nextCursor().get());
        }
        assertThat(seen).containsExactly("c0", "c1", "c2", "c3", "c4", "c5", "c6");
    }

    @Test
    void aDeletedCustomersCallsGoAndOthersStay() {
        log.record(ToolCall.ok(CUSTOMER, T0, "search", "user:u1", "c1", List.of(), 0));
        log.record(ToolCall.ok(OTHER_CUSTOMER, T0, "search", "user:u2", "c2", List.of(), 0));

        log.on(new CustomerDeleted(CUSTOMER));

        assertThat(log.page(query(Optional.empty(), Optional.empty(), -1, 10)).calls())
                .extracting(ToolCall::customerId).containsExactly(OTHER_CUSTOMER);
    }

    @Test
    void callsPastTheRetentionArePruned() {
        Instant now = T0.plus(Duration.ofDays(100));
        log.record(ToolCall.ok(CUSTOMER, now.minus(Duration.ofDays(91)), "search", "user:u1", "old", List.of(), 0));
        log.record(ToolCall.ok(CUSTOMER, now.minus(Duration.ofDays(89)), "search", "user:u1", "recent", List.of(), 0));

        assertThat(log.deleteBefore(now.minus(Duration.ofDays(90)))).isEqualTo(1);

        assertThat(log.page(query(Optional.of(CUSTOMER), Optional.empty(), -1, 10)).calls())
                .extracting(ToolCall::correlationId).containsExactly("recent");
    }

    @Test
    void keepsAtMostSoManyDocumentIds() {
        List<String> many = IntStream.range(0, ToolCallLog.MAX_DOCUMENT_IDS + 50)
                .mapToObj(i -> UUID.randomUUID().toString()).toList();
        log.record(ToolCall.ok(CUSTOMER, T0, "list_documents", "user:u1", "c1", many, many.size()));

        ToolCall kept = log.page(query(Optional.of(CUSTOMER), Optional.empty(), -1, 10)).calls().getFirst();
        assertThat(kept.documentIds()).containsExactlyElementsOf(many.subList(0, ToolCallLog.MAX_DOCUMENT_IDS));
        assertThat(kept.resultCount()).isEqualTo(many.size());
    }

    private static ToolCallQuery query(Optional<String> customerId, Optional<String> tool, long after, int limit) {
        return new ToolCallQuery(customerId, tool, Optional.empty(), Optional.empty(), after, limit);
    }
}
