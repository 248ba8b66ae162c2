package io.dynrag.app.e2e;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * Hostile search filters, id lists and options, document list parameters, cursors and metadata changes, each with
 * the status it must answer and the part its problem's {@code detail} must name (the JSON Pointer of a filter's
 * offending part, or the field or parameter), as docs/api.md describes them.
 */
final class HostileQueries {

    /** A request with a JSON body (null: none), refused with {@code status} by a detail that contains {@code named}. */
    record Refused(String what, String method, String path, String body, int status, String named) {
    }

    private static final String QUERY = "{\"query\": \"lighthouse keeper\", ";
    /** Within the server's 1,000,000-byte limit on JSON bodies, far over a filter's 16 KiB. */
    private static final int NEARLY_A_MEGABYTE = 990_000;

    private final String document;
    private final List<Refused> refusals = new ArrayList<>();

    private HostileQueries(String document) {
        this.document = document;
    }

    /** The refusals, aimed at the customer's own {@code document} where an id is needed. */
    static List<Refused> refusals(String document) {
        HostileQueries queries = new HostileQueries(document);
        queries.filters();
        queries.documentIds();
        queries.options();
        queries.list();
        queries.chunks();
        queries.patches();
        return queries.refusals;
    }

    private void filters() {
        search("a filter nested 50 deep", "\"filter\": " + nested(50), "filter at /filter" + "/$and/0".repeat(4)
                + "/$and: $and and $or may nest at most 4 deep");
        search("a filter nested 5,000 deep", "\"filter\": " + nested(5_000), "not valid JSON");
        search("a filter of nearly 1 MB", "\"filter\": {\"title\": \"" + "t".repeat(NEARLY_A_MEGABYTE) + "\"}",
                "filter at /filter: a filter may take at most 16384 bytes");
        search("$in with 100,000 values", "\"filter\": {\"metadata.year\": {\"$in\": " + numbers(100_000) + "}}",
                "filter at /filter: a filter may take at most 16384 bytes");
        search("$in with 1,001 values", "\"filter\": {\"metadata.year\": {\"$in\": " + numbers(1_001) + "}}",
                "filter at /filter/metadata.year/$in: $in takes at most 1000 values");
        search("65 conditions", "\"filter\": {\"$and\": [" + IntStream.range(0, 65)
                        .mapToObj(i -> "{\"metadata.year\": {\"$ne\": " + i + "}}").collect(Collectors.joining(", "))
                        + "]}", "filter at /filter/$and/64/metadata.year/$ne: a filter may hold at most 64");
        // Unknown operators.
        search("$regex", "\"filter\": {\"metadata.team\": {\"$regex\": \"^s\"}}", "filter at /filter/metadata.team/$regex:");
        search("$where", "\"filter\": {\"$where\": \"this.team == 'search'\"}", "filter at /filter/$where:");
        search("$not", "\"filter\": {\"$not\": {\"metadata.team\": \"search\"}}", "filter at /filter/$not:");
        search("$elemMatch", "\"filter\": {\"metadata.tags\": {\"$elemMatch\": {\"$eq\": \"a\"}}}",
                "filter at /filter/metadata.tags/$elemMatch:");
        // Operators and fields at the wrong place.
        search("an operator for a field", "\"filter\": {\"$eq\": \"search\"}", "filter at /filter/$eq:");
        search("$or among a field's operators", "\"filter\": {\"metadata.team\": {\"$or\": [{\"$eq\": \"a\"}]}}",
                "filter at /filter/metadata.team/$or:");
        search("$or of an object", "\"filter\": {\"$or\": {\"metadata.team\": \"a\"}}", "filter at /filter/$or:");
        search("$in in place of a field", "\"filter\": {\"$and\": [{\"$in\": [\"a\"]}]}", "filter at /filter/$and/0/$in:");
        search("an operator as an operand", "\"filter\": {\"metadata.year\": {\"$gte\": {\"$lt\": 3}}}",
                "filter at /filter/metadata.year/$gte:");
        search("$in of a string", "\"filter\": {\"metadata.team\": {\"$in\": \"search\"}}",
                "filter at /filter/metadata.team/$in:");
        search("$exists of a string", "\"filter\": {\"metadata.team\": {\"$exists\": \"yes\"}}",
                "filter at /filter/metadata.team/$exists:");
        search("$exists on a document field", "\"filter\": {\"title\": {\"$exists\": true}}",
                "filter at /filter/title/$exists:");
        search("$in on a time", "\"filter\": {\"createdAt\": {\"$in\": [\"2026-01-01\"]}}",
                "filter at /filter/createdAt/$in:");
        search("a range on an id", "\"filter\": {\"documentId\": {\"$gt\": \"a\"}}", "filter at /filter/documentId/$gt:");
        search("no operators", "\"filter\": {\"metadata.team\": {}}", "filter at /filter/metadata.team:");
        search("a key with / and ~", "\"filter\": {\"metadata.a/b~c\": 1}", "filter at /filter/metadata.a~1b~0c:");
        search("a key of 65 characters", "\"filter\": {\"metadata." + "k".repeat(65) + "\": 1}", "is no metadata key");
        search("a filter that is an array", "\"filter\": [{\"metadata.team\": \"search\"}]", "filter at /filter:");
        search("a filter that is a string", "\"filter\": \"team=search\"", "filter at /filter:");
        // Numbers JSON cannot hold, or a filter cannot compare with.
        search("NaN", "\"filter\": {\"metadata.year\": NaN}", "not valid JSON");
        search("1e400", "\"filter\": {\"metadata.year\": 1e400}", "filter at /filter/metadata.year: must be a finite");
        search("-1e400 as a bound", "\"filter\": {\"metadata.year\": {\"$gt\": -1e400}}",
                "filter at /filter/metadata.year/$gt: must be a finite");
        search("1e999 among values", "\"filter\": {\"metadata.year\": {\"$in\": [1, 1e999]}}",
                "filter at /filter/metadata.year/$in/1: must be a finite");
        search("a number of 2,000 digits", "\"filter\": {\"metadata.year\": " + "9".repeat(2_000) + "}",
                "not valid JSON");
        search("a date past the year 9999", "\"filter\": {\"createdAt\": {\"$gte\": \"+999999999-12-31T23:59:59Z\"}}",
                "filter at /filter/createdAt/$gte:");
        search("a date before the year 0", "\"filter\": {\"updatedAt\": {\"$lt\": \"-300000-01-01T00:00:00Z\"}}",
                "filter at /filter/updatedAt/$lt:");
    }

    private void documentIds() {
        search("10,000 documentIds", "\"documentIds\": " + quoted(IntStream.range(0, 10_000)
                .mapToObj(i -> UUID.randomUUID().toString()).toList()), "'documentIds' may name at most 1000");
        search("numbers as documentIds", "\"documentIds\": [1, 2]", "'documentIds[0]'");
        search("an object as a documentId", "\"documentIds\": [\"" + document + "\", {\"$ne\": null}]",
                "'documentIds[1]'");
        search("null as a documentId", "\"documentIds\": [null]", "/documentIds/0");
        search("documentIds as a string", "\"documentIds\": \"" + document + "\"", "'documentIds'");
        search("a documentId with NUL", "\"documentIds\": [\"a\\u0000\"]", "/documentIds/0");
    }

    private void options() {
        search("mode as a number", "\"mode\": 7", "'mode'");
        search("mode with a space", "\"mode\": \"keyword \"", "mode");
        search("mode as an array", "\"mode\": [\"hybrid\"]", "'mode'");
        search("keywordWeight as text", "\"keywordWeight\": \"lots\"", "'keywordWeight'");
        search("keywordWeight NaN", "\"keywordWeight\": \"NaN\"", "'keywordWeight'");
        search("keywordWeight 1e400", "\"keywordWeight\": 1e400", "'keywordWeight'");
        search("keywordWeight 1.5", "\"keywordWeight\": 1.5", "'keywordWeight'");
        search("keywordWeight with vector", "\"mode\": \"vector\", \"keywordWeight\": 0.5", "'keywordWeight'");
        search("minScore NaN", "\"minScore\": \"NaN\"", "'minScore'");
        search("minScore -Infinity", "\"minScore\": \"-Infinity\"", "'minScore'");
        search("minScore 1e400", "\"minScore\": 1e400", "'minScore'");
        search("minScore as an object", "\"minScore\": {\"$gt\": 0}", "'minScore'");
        search("maxChunksPerDocument 0", "\"maxChunksPerDocument\": 0", "'maxChunksPerDocument'");
        search("maxChunksPerDocument 2.5", "\"maxChunksPerDocument\": 2.5", "'maxChunksPerDocument'");
        search("maxChunksPerDocument 1e10", "\"maxChunksPerDocument\": 10000000000", "'maxChunksPerDocument'");
        search("maxChunksPerDocument as text", "\"maxChunksPerDocument\": \"many\"", "'maxChunksPerDocument'");
        search("rerank as text", "\"rerank\": \"yes\"", "'rerank'");
        search("rerank as an array", "\"rerank\": [true]", "'rerank'");
        search("rerank without a rerankModel", "\"rerank\": true", "'rerank' needs a rerank model");
        search("topK 2.5", "\"topK\": 2.5", "'topK'");
        search("asOf past the year 9999", "\"asOf\": \"+999999999-12-31T23:59:59Z\"", "'asOf'");
        search("asOf before the year 0", "\"asOf\": \"-300000-01-01T00:00:00Z\"", "'asOf'");
    }

    private void list() {
        String list = "/v1/documents?";
        get("filter that is not JSON", list + "filter=" + encoded("{\"metadata.team\": "), "'filter'");
        get("filter of JSON null", list + "filter=null", "'filter'");
        get("filter that is an array", list + "filter=" + encoded("[]"), "filter: a filter is a JSON object");
        get("filter with trailing garbage", list + "filter=" + encoded("{} {}"), "'filter'");
        get("filter nested 50 deep", list + "filter=" + encoded(nested(50)),
                "filter at " + "/$and/0".repeat(4) + "/$and:");
        get("filter of 1,001 values", list + "filter=" + encoded("{\"metadata.year\": {\"$in\": " + numbers(1_001)
                + "}}"), "filter at /metadata.year/$in:");
        get("filter with an unknown operator", list + "filter=" + encoded("{\"metadata.team\": {\"$regex\": \".\"}}"),
                "filter at /metadata.team/$regex:");
        get("filter with NUL", list + "filter=" + encoded("{\"title\": \"\u0000\"}"), "'filter'");
        get("filter with a date past the year 9999", list + "filter=" + encoded(
                "{\"createdAt\": {\"$gt\": \"+999999999-01-01T00:00:00Z\"}}"), "filter at /createdAt/$gt:");
        get("createdAfter past the year 9999", list + "createdAfter=" + encoded("+999999999-01-01T00:00:00Z"),
                "'createdAfter'");
        get("asOf past the year 9999", list + "asOf=" + encoded("+999999999-01-01T00:00:00Z"), "'asOf'");
        get("asOf before the year 0", list + "asOf=" + encoded("-300000-01-01T00:00:00Z"), "'asOf'");
        get("audit from past the year 9999", "/v1/audit/events?from=" + encoded("+999999999-01-01T00:00:00Z"),
                "'from'");
        get("cursor that is not base64", list + "cursor=" + encoded("!!not a cursor!!"), "'cursor'");
        get("cursor of 3,000 characters", list + "cursor=" + "A".repeat(3_000), "'cursor'");
        get("cursor with NUL", list + "cursor=%00", "'cursor'");
        get("cursor of another order", list + "cursor=" + cursor("d1\nTITLE\nasc\n" + document + "\nkeeper.md"),
                "'cursor'");
        get("cursor with NUL in its id", list + "cursor=" + cursor("d1\nUPDATED_AT\ndesc\nid\u0000\n"
                + "2026-01-01T00:00:00Z"), "'cursor'");
        get("cursor with NUL in its title", list + "sort=title&cursor=" + cursor("d1\nTITLE\nasc\nid\nkeep\u0000er"),
                "'cursor'");
        get("cursor with a time past the year 9999", list + "cursor=" + cursor("d1\nUPDATED_AT\ndesc\nid\n"
                + "+999999999-12-31T23:59:59Z"), "'cursor'");
        get("cursor of the chunks", list + "cursor=" + cursor("k1:1:0"), "'cursor'");
    }

    private void chunks() {
        String chunks = "/v1/documents/" + document + "/chunks?";
        get("chunks cursor that is not base64", chunks + "cursor=" + encoded("!!not a cursor!!"), "'cursor'");
        get("chunks cursor of 6,000 characters", chunks + "cursor=" + "A".repeat(6_000), "'cursor'");
        get("chunks cursor with NUL", chunks + "cursor=%00", "'cursor'");
        get("chunks cursor of another version", chunks + "cursor=" + cursor("k1:2:0"), "'cursor'");
        get("chunks cursor past int", chunks + "cursor=" + cursor("k1:1:99999999999"), "'cursor'");
        get("chunks cursor of the list", chunks + "cursor=" + cursor("d1\nUPDATED_AT\ndesc\nid\n"
                + "2026-01-01T00:00:00Z"), "'cursor'");
        get("chunks limit 0", chunks + "limit=0", "'limit'");
        get("chunks version and asOf", chunks + "version=1&asOf=2026-01-01T00:00:00Z", "'version' or 'asOf'");
    }

    private void patches() {
        String nestedMetadata = "{\"a\": ".repeat(50) + "1" + "}".repeat(50);
        patch("metadata nested 50 deep", "{\"metadata\": " + nestedMetadata + "}", "metadata.a");
        patch("metadata nested 5,000 deep", "{\"metadata\": " + "{\"a\": ".repeat(5_000) + "1" + "}".repeat(5_000)
                + "}", "the body must be a JSON object");
        patch("metadata of nearly 1 MB", "{\"metadata\": {\"notes\": \"" + "n".repeat(NEARLY_A_MEGABYTE) + "\"}}",
                "metadata.notes");
        patch("metadata of 33 keys", "{\"metadata\": {" + IntStream.range(0, 33).mapToObj(i -> "\"k" + i + "\": " + i)
                .collect(Collectors.joining(", ")) + "}}", "metadata");
        patch("metadata over 8,192 bytes", "{\"metadata\": {" + IntStream.range(0, 10).mapToObj(i -> "\"k" + i
                + "\": \"" + "v".repeat(1_000) + "\"").collect(Collectors.joining(", ")) + "}}", "metadata");
        patch("a list of 10,000 items", "{\"metadata\": {\"tags\": " + quoted(IntStream.range(0, 10_000)
                .mapToObj(i -> "t" + i).toList()) + "}}", "metadata.tags");
        patch("a number of 1e400", "{\"metadata\": {\"year\": 1e400}}", "metadata.year");
        patch("NaN", "{\"metadata\": {\"year\": NaN}}", "the body must be a JSON object");
        patch("a key with a space", "{\"metadata\": {\"bad key\": 1}}", "bad key");
        patch("a title of 100,000 characters", "{\"title\": \"" + "t".repeat(100_000) + "\"}", "'title'");
        patch("metadata as an array", "{\"metadata\": [1, 2]}", "'metadata'");
    }

    private void search(String what, String fields, String named) {
        refusals.add(new Refused("search: " + what, "POST", "/v1/search", QUERY + fields + "}", 400, named));
    }

    private void get(String what, String path, String named) {
        refusals.add(new Refused("GET: " + what, "GET", path, null, 400, named));
    }

    private void patch(String what, String body, String named) {
        refusals.add(new Refused("PATCH: " + what, "PATCH", "/v1/documents/" + document, body, 400, named));
    }

    /** {@code $and} nested {@code depth} deep around one condition. */
    private static String nested(int depth) {
        return "{\"$and\": [".repeat(depth) + "{\"metadata.team\": \"search\"}" + "]}".repeat(depth);
    }

    private static String numbers(int count) {
        return IntStream.range(0, count).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
    }

    private static String quoted(List<String> values) {
        return values.stream().collect(Collectors.joining("\", \"", "[\"", "\"]"));
    }

    /** A forged cursor: its text as the server wraps its own. */
    private static String cursor(String plain) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    private static String encoded(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }
}
