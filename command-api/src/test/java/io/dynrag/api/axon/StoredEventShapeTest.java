package io.dynrag.api.axon;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerConfigurationChanged;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.document.DocumentVersionIndexed;
import io.dynrag.domain.document.DocumentVersionUploaded;
import io.dynrag.domain.document.IndexingSettings;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.platform.http.Json;
import org.axonframework.eventsourcing.EventSourcingHandler;
import org.axonframework.serialization.SerializedObject;
import org.axonframework.serialization.Serializer;
import org.axonframework.serialization.SimpleSerializedObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Pins the stored shape of every event payload, as the Avro guard ({@code SchemaEvolutionGuardTest})
 * pins the topics' schemas: the event store keeps every event ever recorded, as JSON written by the
 * serializer {@link EventSourcing} configures, under the event's class name, and the aggregates read
 * all of it again. {@code src/test/resources/golden-events/<class name>.json} is the JSON of the
 * fully populated sample of each event ({@link SampleDomainEvents}); a field renamed, removed, added
 * or written differently fails here, and so does a moved or renamed class (its file no longer
 * matches). Every golden file must also read back as its sample, and each shape events were stored
 * in earlier ({@code golden-events/earlier/}) must still read as the event the code expects from it.
 */
class StoredEventShapeTest {

    private static final Serializer STORE = EventSourcing.serializer(Json.eventMapper());
    /** Reads numbers as written: 25.50 stays 25.50, not the double 25.5. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();
    private static final String GOLDEN = "golden-events";
    private static final String EARLIER = "earlier";

    private static final String EVOLVING = """
            The event store is history: events already stored keep the shape of the golden file, and the \
            aggregates must read them again forever. Never rename or remove a field, change its type, or \
            move or rename an event class without an upcaster (an Axon SingleEventUpcaster registered in \
            EventSourcing) that rewrites the stored shape into the new one. To add a field: make its absence \
            read as a default (handle null in the record's compact constructor), move the old golden file to \
            golden-events/earlier/<class name>.<what changed>.json with the event it must read as in \
            StoredEventShapeTest.EARLIER_SHAPES, and only then write today's shape to the golden file \
            (written for you to target/golden-events/).""";

    private static final CustomerConfiguration WITHOUT_RERANK_MODEL = new CustomerConfiguration(120, 50_000, 1_000,
            26_214_400L, Set.of("text/markdown"), 200, 20, "all-minilm-l6-v2", new BigDecimal("25.50"), 75, null, 30);
    /** The samples' configuration as stored before the time-travel retention: the default. */
    private static final CustomerConfiguration WITHOUT_HISTORY_RETENTION = new CustomerConfiguration(120, 50_000,
            1_000, 26_214_400L, Set.of("text/markdown"), 200, 20, "all-minilm-l6-v2", new BigDecimal("25.50"), 75,
            "rerank-v3.5", CustomerConfiguration.DEFAULT_HISTORY_RETENTION_DAYS);

    /**
     * What each shape stored by earlier code must read as: file name in {@code golden-events/earlier/}
     * to the event. A field an event gained since reads as its default.
     */
    private static final Map<String, Object> EARLIER_SHAPES = Map.of(
            // Before metadata: none.
            DocumentVersionUploaded.class.getName() + ".without-metadata.json",
            new DocumentVersionUploaded("d-91b2", "c-7f3a", 2, "Handbook", "text/markdown",
                    "tenants/c-7f3a/documents/d-91b2/" + "ab".repeat(32), "ab".repeat(32), 48_213,
                    new IndexingSettings(200, 20, "all-minilm-l6-v2", 0)),
            // Before the time-travel retention: 0 in the upload (the pipeline's default), the default configured.
            DocumentVersionUploaded.class.getName() + ".without-history-retention.json",
            new DocumentVersionUploaded(SampleDomainEvents.DOCUMENT, SampleDomainEvents.CUSTOMER, 2, "Handbook",
                    "text/markdown", "tenants/" + SampleDomainEvents.CUSTOMER + "/documents/" + SampleDomainEvents.DOCUMENT
                    + "/" + "ab".repeat(32), "ab".repeat(32), 48_213, new IndexingSettings(200, 20, "all-minilm-l6-v2", 0),
                    SampleDomainEvents.METADATA),
            CustomerConfigurationChanged.class.getName() + ".without-history-retention.json",
            new CustomerConfigurationChanged(SampleDomainEvents.CUSTOMER, WITHOUT_HISTORY_RETENTION),
            CustomerRegistered.class.getName() + ".without-history-retention.json",
            new CustomerRegistered(SampleDomainEvents.CUSTOMER, new EncryptedText("k-1", "bm9uY2UrY29tcGFueQ=="),
                    new EncryptedText("k-1", "bm9uY2UrZW1haWw="), WITHOUT_HISTORY_RETENTION),
            // Before the customer's indexing settings travelled with each upload: the pipeline's defaults.
            DocumentVersionUploaded.class.getName() + ".without-indexing-settings.json",
            new DocumentVersionUploaded("d-1", "c-1", 1, "Notes", "text/plain",
                    "tenants/c-1/documents/d-1/" + "a".repeat(64), "a".repeat(64), 42, IndexingSettings.PIPELINE_DEFAULTS),
            // Before metering: no characters, pages, cl100k tokens or cost.
            DocumentVersionIndexed.class.getName() + ".without-metering.json",
            new DocumentVersionIndexed("d-1", "c-1", 1, new IndexingStats(3, 120, 100, 1, 7, "all-minilm-l6-v2",
                    Map.of("embed", 15L, "write", 3L), 0, 0, 0, 0)),
            // Before budgets: no budget, and the default alert share.
            CustomerConfigurationChanged.class.getName() + ".without-budget.json",
            new CustomerConfigurationChanged("c-1", new CustomerConfiguration(60, 10_000, 100, 10_485_760L,
                    Set.of("text/plain"), 128, 16, "all-minilm-l6-v2", null,
                    CustomerConfiguration.DEFAULT_BUDGET_ALERT_PERCENT, null, 30)),
            // Before rerank models: none.
            CustomerConfigurationChanged.class.getName() + ".without-rerank-model.json",
            new CustomerConfigurationChanged(SampleDomainEvents.CUSTOMER, WITHOUT_RERANK_MODEL),
            CustomerRegistered.class.getName() + ".without-rerank-model.json",
            new CustomerRegistered(SampleDomainEvents.CUSTOMER, new EncryptedText("k-1", "bm9uY2UrY29tcGFueQ=="),
                    new EncryptedText("k-1", "bm9uY2UrZW1haWw="), WITHOUT_RERANK_MODEL));

    @Test
    void everyEventTheAggregatesRecordHasASampleAndAGoldenFile() {
        Set<String> recorded = recordedEvents().stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
        Set<String> sampled = SampleDomainEvents.BY_CLASS.keySet().stream().map(Class::getName)
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(sampled).as("SampleDomainEvents needs one fully populated sample of every recorded event")
                .isEqualTo(recorded);
        Set<String> golden = goldenFiles(golden()).stream().map(file -> typeNameOf(file.getFileName().toString()))
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(golden)
                .as("golden-events holds one file per event class the aggregates record (class name + .json). "
                        + "A file without its class means a stored event type was renamed, moved or removed. "
                        + EVOLVING)
                .isEqualTo(recorded);
    }

    @Test
    void samplesSetEveryField() {
        for (Object sample : SampleDomainEvents.ALL) {
            assertThat(unsetFields(sample.getClass().getSimpleName(), sample))
                    .as("a sample must set every field, or the golden file would not show it").isEmpty();
        }
    }

    static Stream<Object> samples() {
        return SampleDomainEvents.ALL.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void storedShapeIsUnchanged(Object sample) throws IOException {
        SerializedObject<byte[]> stored = STORE.serialize(sample, byte[].class);
        assertThat(stored.getType().getName()).as("the payload type stored with the event")
                .isEqualTo(sample.getClass().getName());
        String fileName = sample.getClass().getName() + ".json";
        JsonNode today = JSON.readTree(stored.getData());
        Path file = golden().resolve(fileName);
        if (!Files.exists(file)) {
            fail("No golden file for " + sample.getClass().getName() + ": add " + source(fileName) + " with "
                    + "the JSON written to " + written(fileName, today));
        }
        JsonNode golden = JSON.readTree(file.toFile());
        if (!golden.equals(today)) {
            List<String> differences = new ArrayList<>();
            differences(golden, today, "", differences);
            fail("The stored shape of " + sample.getClass().getSimpleName() + " changed:\n  "
                    + String.join("\n  ", differences) + "\n" + EVOLVING + " Today's shape: "
                    + written(fileName, today));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void goldenFileReadsAsItsSample(Object sample) {
        Path file = golden().resolve(sample.getClass().getName() + ".json");
        assertThat(file).exists();
        assertThat(read(file)).as("reading " + file.getFileName() + ". " + EVOLVING).isEqualTo(sample);
    }

    @Test
    void everyEarlierShapeStillReads() {
        List<Path> files = goldenFiles(golden().resolve(EARLIER));
        assertThat(files.stream().map(file -> file.getFileName().toString()).collect(Collectors.toSet()))
                .as("each earlier shape in golden-events/earlier has the event it must read as in EARLIER_SHAPES")
                .isEqualTo(EARLIER_SHAPES.keySet());
        for (Path file : files) {
            assertThat(read(file)).as("a stored " + file.getFileName() + " must still read. " + EVOLVING)
                    .isEqualTo(EARLIER_SHAPES.get(file.getFileName().toString()));
        }
    }

    /** The events the aggregates apply to themselves: every type the event store holds. */
    private static Set<Class<?>> recordedEvents() {
        return EventSourcing.AGGREGATES.stream()
                .flatMap(aggregate -> Arrays.stream(aggregate.getDeclaredMethods()))
                .filter(method -> method.isAnnotationPresent(EventSourcingHandler.class))
                .map(Method::getParameterTypes)
                .map(parameters -> parameters[0])
                .collect(Collectors.toSet());
    }

    private static Object read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return STORE.deserialize(new SimpleSerializedObject<>(bytes, byte[].class,
                typeNameOf(file.getFileName().toString()), null));
    }

    /** {@code io.dynrag.domain.document.DocumentDeleted.without-x.json} names the class {@code ...DocumentDeleted}. */
    private static String typeNameOf(String fileName) {
        String withoutJson = fileName.substring(0, fileName.length() - ".json".length());
        List<String> parts = List.of(withoutJson.split("\\."));
        int classPart = 0;
        while (classPart < parts.size() && !Character.isUpperCase(parts.get(classPart).charAt(0))) {
            classPart++;
        }
        return String.join(".", parts.subList(0, Math.min(classPart + 1, parts.size())));
    }

    /** Paths of the fields that differ, "stats.pages" style, with what each was and is. */
    private static void differences(JsonNode stored, JsonNode today, String path, List<String> found) {
        if (stored.isObject() && today.isObject()) {
            stored.fieldNames().forEachRemaining(field -> {
                if (!today.has(field)) {
                    found.add("removed or renamed: " + path + field);
                } else {
                    differences(stored.get(field), today.get(field), path + field + ".", found);
                }
            });
            today.fieldNames().forEachRemaining(field -> {
                if (!stored.has(field)) {
                    found.add("added: " + path + field);
                }
            });
        } else if (!stored.equals(today)) {
            String at = path.isEmpty() ? "the payload" : path.substring(0, path.length() - 1);
            found.add("written differently: " + at + " was " + stored + " (" + stored.getNodeType() + "), is "
                    + today + " (" + today.getNodeType() + ")");
        }
    }

    private static List<String> unsetFields(String path, Object value) {
        List<String> unset = new ArrayList<>();
        if (value == null) {
            unset.add(path);
        } else if (value instanceof Collection<?> collection && collection.isEmpty()
                || value instanceof Map<?, ?> map && map.isEmpty()
                || value instanceof String text && text.isEmpty()) {
            unset.add(path + " (empty)");
        } else if (value.getClass().isRecord()) {
            for (RecordComponent component : value.getClass().getRecordComponents()) {
                try {
                    unset.addAll(unsetFields(path + "." + component.getName(), component.getAccessor().invoke(value)));
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return unset;
    }

    private static Path golden() {
        try {
            return Path.of(Objects.requireNonNull(StoredEventShapeTest.class.getResource("/" + GOLDEN),
                    "src/test/resources/" + GOLDEN + " is missing").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Path> goldenFiles(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String source(String fileName) {
        return "command-api/src/test/resources/" + GOLDEN + "/" + fileName;
    }

    /** Writes today's shape where a developer can look at it and copy it; answers where. */
    private static String written(String fileName, JsonNode today) {
        Path file = Path.of("target", GOLDEN, fileName).toAbsolutePath();
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(today) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file.toString();
    }
}
