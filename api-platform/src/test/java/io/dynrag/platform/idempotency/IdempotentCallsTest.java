package io.dynrag.platform.idempotency;

import io.dynrag.platform.crypto.KeyEncryption;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.testing.TestDatabase;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class IdempotentCallsTest {

    private final TestDatabase database = TestDatabase.get();
    private final IdempotentCalls calls = new IdempotentCalls(new IdempotencyRecords(database.transactions(),
            new KeyEncryption(KeyEncryptionKeys.generate("k1")), Duration.ofMinutes(1), Duration.ofDays(1)));
    private final List<String> created = new ArrayList<>();

    /** What a call answers, as a tool's structured answer. */
    record Added(String documentId, int version) {
    }

    @BeforeEach
    void emptyTable() {
        database.truncate("idempotency_record");
    }

    @Test
    void theSameCallRunsOnceAndItsRetryAnswersTheFirstAnswer() {
        Added first = calls.run(request("customer:a", "key-1", "tide tables"), Added.class, this::add);
        Added retried = calls.run(request("customer:a", "key-1", "tide tables"), Added.class, this::add);

        assertThat(retried).isEqualTo(first);
        assertThat(created).containsExactly(first.documentId());
    }

    @Test
    void aKeyUsedForAnotherCallIsRefusedWith422NamingTheKeyAndRunsNothing() {
        calls.run(request("customer:a", "key-1", "tide tables"), Added.class, this::add);

        for (IdempotentCalls.Request other : List.of(request("customer:a", "key-1", "neap tides"),
                new IdempotentCalls.Request(new IdempotentPosts.Caller("customer:a", "apiKey:k1"), "idempotencyKey",
                        new IdempotencyKey("key-1"), "MCP", "add_document_from_url", sha("tide tables")),
                new IdempotentCalls.Request(new IdempotentPosts.Caller("customer:a", "apiKey:k2"), "idempotencyKey",
                        new IdempotencyKey("key-1"), "MCP", "add_text_document", sha("tide tables")))) {
            assertThatThrownBy(() -> calls.run(other, Added.class, this::add))
                    .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                        assertThat(problem.status()).isEqualTo(422);
                        assertThat(problem.detail()).contains("'idempotencyKey' was already used");
                    });
        }
        assertThat(created).hasSize(1);
    }

    @Test
    void anotherScopesKeyIsAnotherKey() {
        Added a = calls.run(request("customer:a", "key-1", "tide tables"), Added.class, this::add);
        Added b = calls.run(request("customer:b", "key-1", "tide tables"), Added.class, this::add);

        assertThat(b.documentId()).isNotEqualTo(a.documentId());
        assertThat(created).containsExactly(a.documentId(), b.documentId());
    }

    @Test
    void aRetryWhileTheFirstCallRunsIsRefusedWith409AndAdviceToRetry() {
        IdempotentCalls.Request request = request("customer:a", "key-1", "tide tables");
        calls.run(request, Added.class, ids -> {
            assertThatThrownBy(() -> calls.run(request, Added.class, this::add))
                    .isInstanceOfSatisfying(ApiProblem.class, problem -> {
                        assertThat(problem.status()).isEqualTo(409);
                        assertThat(problem.detail()).contains("'idempotencyKey' is still in progress");
                        assertThat(problem.retryAfter()).contains(Duration.ofSeconds(1));
                    });
            return add(ids);
        });

        assertThat(created).hasSize(1);
    }

    @Test
    void aFailedCallIsNotKeptSoItsRetryRunsAgainWithTheSameIds() {
        IdempotentCalls.Request request = request("customer:a", "key-1", "tide tables");
        List<String> tried = new ArrayList<>();
        assertThatThrownBy(() -> calls.run(request, Added.class, ids -> {
            tried.add(ids.id(0));
            throw new IllegalStateException("the budget is used up");
        })).hasMessage("the budget is used up");

        Added retried = calls.run(request, Added.class, this::add);

        assertThat(tried).containsExactly(retried.documentId());
        assertThatThrownBy(() -> calls.run(request("customer:a", "key-1", "neap tides"), Added.class, this::add))
                .as("the key stays bound to the failed call's arguments")
                .isInstanceOfSatisfying(ApiProblem.class, problem -> assertThat(problem.status()).isEqualTo(422));
    }

    private Added add(NewIds ids) {
        assertThat(ids.repeatable()).isTrue();
        created.add(ids.id(0));
        return new Added(ids.id(0), 1);
    }

    private static IdempotentCalls.Request request(String scope, String key, String arguments) {
        return new IdempotentCalls.Request(new IdempotentPosts.Caller(scope, "apiKey:k1"), "idempotencyKey",
                new IdempotencyKey(key), "MCP", "add_text_document", sha(arguments));
    }

    private static byte[] sha(String arguments) {
        return RequestFingerprint.body(arguments.getBytes(StandardCharsets.UTF_8));
    }
}
