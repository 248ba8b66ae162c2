package io.dynrag.platform.http;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How requests are read: strictly, so a value of the wrong kind is refused rather than made into another. */
class JsonTest {

    private static final ObjectMapper API = Json.apiMapper();

    record Request(String name, Integer count, Double weight) {
    }

    @Test
    void readsValuesOfTheirKind() throws Exception {
        assertThat(API.readValue("{\"name\": \"a\", \"count\": 2, \"weight\": 0.5}", Request.class))
                .isEqualTo(new Request("a", 2, 0.5));
        assertThat(API.readValue("{\"weight\": 1}", Request.class).weight()).isEqualTo(1.0);
    }

    @Test
    void refusesANumberWithAFractionForAWholeNumberAndANumberForText() {
        for (String body : new String[]{"{\"count\": 2.5}", "{\"count\": 1e400}", "{\"name\": 5}"}) {
            assertThatThrownBy(() -> API.readValue(body, Request.class)).as(body).isInstanceOf(JacksonException.class);
        }
    }
}
