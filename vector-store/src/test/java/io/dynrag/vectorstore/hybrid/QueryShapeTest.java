package io.dynrag.vectorstore.hybrid;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueryShapeTest {

    @ParameterizedTest
    @ValueSource(strings = {"os.path.join", "SQLSTATE 40P01", "pg_dump -Fc", "python -m venv", "xmin", "defaultdict",
            "getUserName", "COPY ... WITH (FORMAT csv, HEADER)", "lower()", "  string_agg  ", "max_connections?",
            "FOR UPDATE SKIP LOCKED", "55P03 lock_not_available", "\\copy"})
    void namesOfThingsAreLookups(String query) {
        assertThat(QueryShape.of(query)).isEqualTo(QueryShape.LOOKUP);
    }

    @ParameterizedTest
    @ValueSource(strings = {"scratch file that disappears once I'm done with it", "how do I join two paths",
            "log every query slower than one second", "store JSON documents in a column and query values inside them",
            "find every .txt file under a folder including subfolders", "what is a deadlock and why does it happen?",
            "read a setting from an environment variable, with a fallback."})
    void questionsInUsersWordsAreWorded(String query) {
        assertThat(QueryShape.of(query)).isEqualTo(QueryShape.WORDED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ZeroDivisionError: division by zero", "RecursionError: maximum recursion depth exceeded"})
    void aMessageWithOneCodeWordAmongWordsIsWorded(String query) {
        assertThat(QueryShape.of(query)).isEqualTo(QueryShape.WORDED);
    }

    @Test
    void aQuestionMentioningCodeIsWordedUnlessHalfOfItIsCode() {
        assertThat(QueryShape.of("pg_stat_activity wait_event_type column")).isEqualTo(QueryShape.LOOKUP);
        assertThat(QueryShape.of("what does os.path.join do with an absolute second path"))
                .isEqualTo(QueryShape.WORDED);
    }
}
