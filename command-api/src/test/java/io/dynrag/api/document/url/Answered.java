package io.dynrag.api.document.url;

import io.dynrag.api.Refusals;
import io.dynrag.platform.http.ApiProblem;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** What the API answers for the refusal a call throws, through the one mapping the HTTP server answers with. */
final class Answered {

    private Answered() {
    }

    static ApiProblem by(ThrowingCallable call) {
        Throwable refusal = catchThrowable(call);
        assertThat(refusal).as("the call is refused").isNotNull();
        return Refusals.mapping().problemFor(refusal)
                .orElseThrow(() -> new AssertionError("not a refusal the API answers: " + refusal, refusal));
    }
}
