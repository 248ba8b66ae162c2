package io.dynrag.domain.document.filter;

import io.dynrag.domain.document.filter.DocumentFilter.Bound;
import io.dynrag.domain.document.filter.DocumentFilter.Comparison;
import io.dynrag.domain.document.filter.DocumentFilter.FilterField;
import io.dynrag.domain.document.filter.DocumentFilter.Scalar;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FilterParserTest {

    private static final FilterField YEAR = new FilterField.Metadata("year");

    @Test
    void readsEveryOperator() {
        assertThat(parse(obj("metadata.team", "search"))).isEqualTo(new DocumentFilter.In(
                new FilterField.Metadata("team"), List.of(new Scalar.Text("search")), false));
        assertThat(parse(obj("metadata.year", obj("$eq", 2024)))).isEqualTo(new DocumentFilter.In(YEAR,
                List.of(new Scalar.Number(new BigDecimal("2024"))), false));
        assertThat(parse(obj("metadata.draft", obj("$ne", true)))).isEqualTo(new DocumentFilter.In(
                new FilterField.Metadata("draft"), List.of(new Scalar.Bool(true)), true));
        assertThat(parse(obj("metadata.tags", obj("$in", List.of("a", 1.5)))).matches(doc("d", Map.of("tags",
                List.of("x", "a"))))).isTrue();
        assertThat(parse(obj("documentId", obj("$nin", List.of("d-1"))))).isEqualTo(new DocumentFilter.In(
                FilterField.Document.DOCUMENT_ID, List.of(new Scalar.Text("d-1")), true));
        assertThat(parse(obj("metadata.year", obj("$gt", 1, "$gte", 2, "$lt", 3, "$lte", 4.5))))
                .isEqualTo(new DocumentFilter.And(List.of(
                        new DocumentFilter.Range(YEAR, Comparison.GT, new Bound.Number(BigDecimal.ONE)),
                        new DocumentFilter.Range(YEAR, Comparison.GTE, new Bound.Number(new BigDecimal("2"))),
                        new DocumentFilter.Range(YEAR, Comparison.LT, new Bound.Number(new BigDecimal("3"))),
                        new DocumentFilter.Range(YEAR, Comparison.LTE, new Bound.Number(new BigDecimal("4.5"))))));
        assertThat(parse(obj("createdAt", obj("$gte", "2026-01-01")))).as("a date alone is its start in UTC")
                .isEqualTo(new DocumentFilter.Range(FilterField.Document.CREATED_AT, Comparison.GTE,
                        new Bound.Moment(Instant.parse("2026-01-01T00:00:00Z"))));
        assertThat(parse(obj("updatedAt", obj("$lt", "2026-01-01T12:00:00+02:00")))).isEqualTo(
                new DocumentFilter.Range(FilterField.Document.UPDATED_AT, Comparison.LT,
                        new Bound.Moment(Instant.parse("2026-01-01T10:00:00Z"))));
        assertThat(parse(obj("metadata.reviewed", obj("$exists", false))))
                .isEqualTo(new DocumentFilter.Exists("reviewed", false));
        assertThat(parse(obj("$or", List.of(obj("title", "A"), obj("contentType", obj("$in", List.of("text/plain")))),
                "$and", List.of(obj()))))
                .isEqualTo(new DocumentFilter.And(List.of(new DocumentFilter.Or(List.of(
                        new DocumentFilter.In(FilterField.Document.TITLE, List.of(new Scalar.Text("A")), false),
                        new DocumentFilter.In(FilterField.Document.CONTENT_TYPE, List.of(new Scalar.Text("text/plain")),
                                false))), new DocumentFilter.And(List.of(DocumentFilter.EVERYTHING)))));
        assertThat(FilterParser.parse(null, 0, "/filter")).isEqualTo(DocumentFilter.EVERYTHING);
        assertThatThrownBy(() -> FilterParser.parse(List.of(), 2, "")).as("a filter given alone, as a parameter")
                .hasMessageStartingWith("filter: a filter is a JSON object");
        assertThat(parse(obj())).isEqualTo(DocumentFilter.EVERYTHING);
    }

    @Test
    void matchesAsDocumented() {
        DocumentFilter.FilteredDocument d = doc("d", Map.of("n", 1L, "f", 1.5, "tags", List.of("a", "b"),
                "day", "2026-01-02", "at", "2026-01-02T10:00:00+01:00", "s", "2024"));
        assertThat(parse(obj("metadata.n", 1.0)).matches(d)).as("1 == 1.0").isTrue();
        assertThat(parse(obj("metadata.s", 2024)).matches(d)).as("a string is no number").isFalse();
        assertThat(parse(obj("metadata.tags", "b")).matches(d)).as("a list containing it").isTrue();
        assertThat(parse(obj("metadata.missing", obj("$ne", "x"))).matches(d)).as("$ne keeps documents without the key")
                .isTrue();
        assertThat(parse(obj("metadata.missing", obj("$nin", List.of("x")))).matches(d)).isTrue();
        assertThat(parse(obj("metadata.tags", obj("$nin", List.of("a")))).matches(d)).isFalse();
        assertThat(parse(obj("metadata.day", obj("$gte", "2026-01-02T00:00:00Z"))).matches(d)).isTrue();
        assertThat(parse(obj("metadata.at", obj("$lt", "2026-01-02T09:00:01Z"))).matches(d)).isTrue();
        assertThat(parse(obj("metadata.s", obj("$gt", 1))).matches(d)).as("ranges match values of their kind only")
                .isFalse();
        assertThat(parse(obj("metadata.n", obj("$gt", "2020-01-01"))).matches(d)).isFalse();
        assertThat(parse(obj("metadata.f", obj("$gt", 1, "$lt", 2))).matches(d)).isTrue();
    }

    @Test
    void refusesNamingTheOffendingPart() {
        assertRefused("a string", "/filter", "a JSON object");
        assertRefused(List.of(), "/filter", "a JSON object");
        assertRefused(obj("metadata.year", obj("$gte", 2020, "$near", 1)), "/filter/metadata.year/$near",
                "unknown operator '$near'");
        assertRefused(obj("$not", List.of()), "/filter/$not", "unknown operator '$not'");
        assertRefused(obj("author", "x"), "/filter/author", "unknown field 'author'");
        assertRefused(obj("metadata.a b", "x"), "/filter/metadata.a b", "no metadata key");
        assertRefused(obj("a/b~c", "x"), "/filter/a~1b~0c", "unknown field");
        assertRefused(obj("$or", List.of(obj("title", "x"), obj("metadata.year", obj("$gte", true)))),
                "/filter/$or/1/metadata.year/$gte", "takes a number or a date");
        assertRefused(obj("metadata.year", obj("$gte", "soon")), "/filter/metadata.year/$gte", "'soon' is neither");
        assertRefused(obj("metadata.year", obj("$lt", List.of(1))), "/filter/metadata.year/$lt", "not an array");
        assertRefused(obj("metadata.team", obj("$eq", obj())), "/filter/metadata.team/$eq", "not an object");
        assertRefused(obj("metadata.team", List.of("a")), "/filter/metadata.team", "not an array");
        assertRefused(obj("metadata.team", (Object) null), "/filter/metadata.team", "not null");
        assertRefused(obj("metadata.team", obj("$in", "a")), "/filter/metadata.team/$in", "takes an array");
        assertRefused(obj("metadata.team", obj("$nin", List.of("a", List.of()))), "/filter/metadata.team/$nin/1",
                "not an array");
        assertRefused(obj("metadata.team", obj()), "/filter/metadata.team", "needs at least one");
        assertRefused(obj("metadata.team", obj("$exists", "yes")), "/filter/metadata.team/$exists", "true or false");
        assertRefused(obj("title", obj("$exists", true)), "/filter/title/$exists", "applies to metadata keys");
        assertRefused(obj("documentId", 7), "/filter/documentId", "compared with strings");
        assertRefused(obj("metadata.team", obj("$in", List.of("a", "b\u0000"))), "/filter/metadata.team/$in/1",
                "NUL character");
        assertRefused(obj("contentType", obj("$gt", "a")), "/filter/contentType/$gt", "takes $eq, $ne, $in or $nin");
        assertRefused(obj("createdAt", "2026-01-01"), "/filter/createdAt", "use a range");
        assertRefused(obj("updatedAt", obj("$in", List.of())), "/filter/updatedAt/$in", "use a range");
        assertRefused(obj("createdAt", obj("$gte", 5)), "/filter/createdAt/$gte", "not the number 5");
        assertRefused(obj("createdAt", obj("$gte", "+999999999-12-31T23:59:59Z")), "/filter/createdAt/$gte",
                "times of the years 0000 to 9999");
        assertRefused(obj("updatedAt", obj("$lt", "-300000-01-01T00:00:00Z")), "/filter/updatedAt/$lt",
                "times of the years 0000 to 9999");
        assertRefused(obj("$or", List.of()), "/filter/$or", "non-empty array");
        assertRefused(obj("$and", obj()), "/filter/$and", "non-empty array");
        assertRefused(obj("$or", List.of(obj("title", "a"), "b")), "/filter/$or/1", "a JSON object");
    }

    @Test
    void takesTheTimesOfFourDigitYearsAndMetadataDatesOfAnyYear() {
        DocumentFilter times = parse(obj("createdAt", obj("$gte", "0000-01-01"),
                "updatedAt", obj("$lte", "9999-12-31T23:59:59.999999999Z")));
        assertThat(times.matches(doc("x", Map.of()))).isTrue();
        DocumentFilter due = parse(obj("metadata.due", obj("$lt", "+20000-01-01T00:00:00Z")));
        assertThat(due.matches(doc("x", Map.of("due", "+19999-06-01T00:00:00Z")))).isTrue();
    }

    @Test
    void refusesWhatExceedsALimit() {
        Object deep = obj("title", "x");
        for (int i = 0; i < 4; i++) {
            deep = obj("$or", List.of(deep));
        }
        assertThat(parse(deep).matches(doc("x", Map.of()))).as("four deep").isFalse();
        assertRefused(obj("$and", List.of(deep)), "/filter/$and/0/$or/0/$or/0/$or/0/$or", "at most 4 deep");

        Map<String, Object> many = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            many.put("metadata.k" + i, i);
        }
        parse(many);
        many.put("metadata.last", obj("$gt", 1));
        assertRefused(many, "/filter/metadata.last/$gt", "at most 64 conditions");

        List<String> values = new ArrayList<>(Collections.nCopies(1_000, "v"));
        parse(obj("metadata.team", obj("$in", values)));
        values.add("v");
        assertRefused(obj("metadata.team", obj("$in", values)), "/filter/metadata.team/$in", "at most 1000 values");

        assertThatThrownBy(() -> FilterParser.parse(obj(), 16 * 1024 + 1, "/filter"))
                .isInstanceOfSatisfying(FilterRefusal.class, e -> assertThat(e.pointer()).isEqualTo("/filter"))
                .hasMessageContaining("at most 16384 bytes");
    }

    private static DocumentFilter parse(Object json) {
        return FilterParser.parse(json, 10, "/filter");
    }

    private static void assertRefused(Object json, String pointer, String reason) {
        assertThatThrownBy(() -> parse(json)).as(pointer)
                .isInstanceOfSatisfying(FilterRefusal.class, e -> assertThat(e.pointer()).isEqualTo(pointer))
                .hasMessageStartingWith("filter at " + pointer + ": ")
                .hasMessageContaining(reason);
    }

    private static DocumentFilter.FilteredDocument doc(String id, Map<String, ?> metadata) {
        return new DocumentFilter.FilteredDocument(id, "text/plain", "T", Instant.EPOCH, Instant.EPOCH, metadata);
    }

    /** A JSON object as a JSON library reads it: keys in order, nulls kept. */
    private static Map<String, Object> obj(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }
}
