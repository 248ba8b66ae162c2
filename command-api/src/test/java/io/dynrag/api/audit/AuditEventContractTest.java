package io.dynrag.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.dialect.Dialects;
import io.dynrag.api.axon.SampleDomainEvents;
import io.dynrag.domain.customer.CustomerCeilings;
import io.dynrag.domain.customer.CustomerCeilingsChanged;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.ProviderKeyChanged;
import io.dynrag.domain.document.DocumentMetadataChanged;
import io.dynrag.platform.http.Json;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every event the aggregates record, as the audit trail shows it, matches the {@code AuditEvent} schema of
 * docs/openapi.json, whose {@code type} selects the schema of the payload: an event type or an event field added
 * without its line in the contract fails here, whether or not an end-to-end test ever meets that event.
 */
class AuditEventContractTest {

    /** Where the API's build packages docs/openapi.json. */
    private static final String RESOURCE = "io/dynrag/api/openapi/openapi.json";
    /** The name the schemas are resolved under; nothing is fetched. */
    private static final String SPEC_IRI = "https://dynrag.io/openapi.json";
    private static final ObjectMapper STORED = Json.eventMapper();

    private final String document = read();
    private final Schema auditEvent = SchemaRegistry.withDefaultDialect(Dialects.getOpenApi31(),
                    builder -> builder.schemas(Map.of(SPEC_IRI, document)))
            .getSchema(SchemaLocation.of(SPEC_IRI + "#/components/schemas/AuditEvent"));
    private final AuditPayloads payloads = new AuditPayloads();

    @Test
    void theContractNamesExactlyTheEventTypesTheAggregatesRecord() throws IOException {
        TreeSet<String> declared = new TreeSet<>();
        new ObjectMapper().readTree(document).at("/components/schemas/AuditEvent/properties/type/enum")
                .forEach(type -> declared.add(type.asText()));
        TreeSet<String> recorded = new TreeSet<>();
        SampleDomainEvents.ALL.forEach(event -> recorded.add(event.getClass().getSimpleName()));

        assertThat(declared).as("AuditEvent's types in docs/openapi.json, each with its <type>Payload schema")
                .isEqualTo(recorded);
    }

    @Test
    void everyRecordedEventAsShownMatchesThePayloadSchemaOfItsType() {
        assertThat(SampleDomainEvents.ALL.stream().flatMap(event -> errors(event).stream()).toList()).isEmpty();
    }

    /** The fields an event may leave empty are shown as null, which the payload schemas allow. */
    @Test
    void eventsWithTheirOptionalFieldsEmptyMatchToo() {
        List<Object> sparse = List.of(
                new CustomerRegistered("c-1", new EncryptedText("k-1", "Y29tcGFueQ=="), null,
                        ((CustomerRegistered) SampleDomainEvents.ALL.getFirst()).configuration()),
                new ProviderKeyChanged("c-1", "openai", null),
                new CustomerCeilingsChanged("c-1", CustomerCeilings.NONE),
                new DocumentMetadataChanged("d-1", "c-1", null, null));

        assertThat(sparse.stream().flatMap(event -> errors(event).stream()).toList()).isEmpty();
    }

    @Test
    void aFieldTheContractDoesNotDeclareFails() throws IOException {
        Object deleted = SampleDomainEvents.ALL.stream()
                .filter(event -> event.getClass().getSimpleName().equals("DocumentDeleted")).findFirst().orElseThrow();
        ObjectNode shown = (ObjectNode) payloads.shown(deleted.getClass().getName(), STORED.writeValueAsBytes(deleted));
        shown.put("shard", 7);

        assertThat(auditEvent.validate(answer(deleted, shown), InputFormat.JSON).toString()).contains("shard");
    }

    /** What the schema finds wrong with {@code event} as the audit endpoint answers it. */
    private List<String> errors(Object event) {
        try {
            JsonNode shown = payloads.shown(event.getClass().getName(), STORED.writeValueAsBytes(event));
            List<String> errors = new ArrayList<>();
            for (Error error : auditEvent.validate(answer(event, shown), InputFormat.JSON)) {
                errors.add(event.getClass().getSimpleName() + ": " + error);
            }
            return errors;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String answer(Object event, JsonNode payload) throws IOException {
        return Json.apiMapper().writeValueAsString(new AuditEvent("e-1", AuditPayloads.typeName(event.getClass()
                .getName()), Instant.parse("2026-11-26T14:22:40Z"), event.getClass().getPackageName()
                .endsWith("customer") ? "Customer" : "Document", "a-1", 1, "user:u-1", "r-1", payload));
    }

    private static String read() {
        try (InputStream in = AuditEventContractTest.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("no " + RESOURCE + " on the class path: this module packages it");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
