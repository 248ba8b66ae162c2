package io.dynrag.api.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dynrag.domain.customer.CustomerConfiguration;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.domain.customer.EncryptedText;
import io.dynrag.domain.customer.ProviderKeyChanged;
import io.dynrag.domain.document.DocumentDeleted;
import io.dynrag.platform.http.Json;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuditPayloadsTest {

    private static final ObjectMapper STORED = Json.eventMapper();
    private static final CustomerConfiguration CONFIGURATION = new CustomerConfiguration(600, 100_000, 1_000,
            10_000_000, Set.of("text/plain"), 200, 20, CustomerConfiguration.LOCAL_MODEL, new BigDecimal("12.50"), 80, null, 30);

    private final AuditPayloads payloads = new AuditPayloads();

    @Test
    void personalFieldsAreShownAsEncryptedAndNeverAsCiphertext() throws Exception {
        CustomerRegistered registered = new CustomerRegistered("c-1", new EncryptedText("dk-7", "Q0lQSEVSVEVYVA=="),
                new EncryptedText("dk-7", "RU1BSUxDSVBIRVI="), CONFIGURATION);

        JsonNode shown = payloads.shown(CustomerRegistered.class.getName(), STORED.writeValueAsBytes(registered));

        assertThat(shown.get("company").toString()).isEqualTo("{\"encrypted\":true}");
        assertThat(shown.get("email").toString()).isEqualTo("{\"encrypted\":true}");
        assertThat(shown.toString()).doesNotContain("Q0lQSEVSVEVYVA==", "RU1BSUxDSVBIRVI=", "dk-7", "ciphertext");
        assertThat(shown.get("customerId").asText()).isEqualTo("c-1");
        assertThat(shown.at("/configuration/monthlyBudgetUsd").decimalValue()).isEqualByComparingTo("12.50");
        assertThat(shown.at("/configuration/embeddingModel").asText()).isEqualTo(CustomerConfiguration.LOCAL_MODEL);
    }

    @Test
    void anAbsentPersonalFieldStaysAbsent() throws Exception {
        CustomerRegistered withoutEmail = new CustomerRegistered("c-1", new EncryptedText("dk-7", "Q0lQSA=="), null,
                CONFIGURATION);

        JsonNode shown = payloads.shown(CustomerRegistered.class.getName(), STORED.writeValueAsBytes(withoutEmail));

        assertThat(shown.get("email").isNull()).isTrue();
        assertThat(shown.get("company").get("encrypted").asBoolean()).isTrue();
    }

    @Test
    void otherFieldsAreShownAsStored() throws Exception {
        ProviderKeyChanged changed = new ProviderKeyChanged("c-1", "openai", "sha256:9f86d081884c7d65");

        JsonNode shown = payloads.shown(ProviderKeyChanged.class.getName(), STORED.writeValueAsBytes(changed));

        assertThat(shown).isEqualTo(STORED.readTree(STORED.writeValueAsBytes(changed)));
    }

    @Test
    void theTypeIsThePayloadsSimpleName() {
        assertThat(AuditPayloads.typeName(DocumentDeleted.class.getName())).isEqualTo("DocumentDeleted");
        assertThat(AuditPayloads.typeName("io.dynrag.domain.Outer$Inner")).isEqualTo("Inner");
    }

    @Test
    void onlyOurOwnEventTypesAreEverInstantiated() {
        assertThatThrownBy(() -> payloads.shown("java.io.File", "\"/etc/passwd\"".getBytes()))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> payloads.shown("io.dynrag.domain.NoSuchEvent", "{}".getBytes()))
                .isInstanceOf(IllegalStateException.class);
    }
}
