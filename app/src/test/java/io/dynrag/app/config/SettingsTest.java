package io.dynrag.app.config;

import io.dynrag.platform.http.CorsPolicy;
import io.dynrag.platform.http.TrustedProxies;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    @Test
    void defaultsSuitTheEmbeddedDevMode() {
        Settings settings = Settings.from(Map.of());
        assertThat(settings.httpPort()).isEqualTo(8080);
        assertThat(settings.httpHost()).isEqualTo("127.0.0.1");
        assertThat(settings.dataDir().getFileName().toString()).isEqualTo(".dynrag");
        assertThat(settings.maxChunkTokens()).isEqualTo(200);
        assertThat(settings.kafkaBootstrapServers()).isEmpty();
        assertThat(settings.kafkaPort()).isEqualTo(9092);
        assertThat(settings.adminToken()).isEmpty();
    }

    @Test
    void theManagementServerListensBesideTheApiOnItsOwnPort() {
        Settings defaults = Settings.from(Map.of());
        assertThat(defaults.managementPort()).isEqualTo(9464);
        assertThat(defaults.managementHost()).isEqualTo("127.0.0.1");
        Settings container = Settings.from(Map.of("DYNRAG_HTTP_HOST", "0.0.0.0", "DYNRAG_MANAGEMENT_PORT", "0"));
        assertThat(container.managementHost()).isEqualTo("0.0.0.0");
        assertThat(container.managementPort()).isZero();
        assertThat(Settings.from(Map.of("DYNRAG_HTTP_HOST", "0.0.0.0", "DYNRAG_MANAGEMENT_HOST", "10.0.0.5"))
                .managementHost()).isEqualTo("10.0.0.5");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_MANAGEMENT_PORT", "65536")))
                .hasMessage("DYNRAG_MANAGEMENT_PORT must be between 0 and 65535, not 65536");
    }

    @Test
    void logsAreTextOrJson() {
        assertThat(Settings.from(Map.of()).logFormat()).isEqualTo("text");
        assertThat(Settings.from(Map.of("DYNRAG_LOG_FORMAT", "json")).logFormat()).isEqualTo("json");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_LOG_FORMAT", "JSON")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessage("DYNRAG_LOG_FORMAT must be one of text, json, not 'JSON'");
    }

    @Test
    void theDevKafkaPortIsAPortNumberNotAnyFreeOne() {
        assertThat(Settings.from(Map.of("DYNRAG_KAFKA_PORT", "19092")).kafkaPort()).isEqualTo(19092);
        for (String invalid : new String[] {"0", "65536", "-1"}) {
            assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_KAFKA_PORT", invalid)))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessage("DYNRAG_KAFKA_PORT must be between 1 and 65535, not " + invalid);
        }
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_KAFKA_PORT", "kafka")))
                .hasMessage("DYNRAG_KAFKA_PORT must be a whole number, not 'kafka'");
    }

    @Test
    void valuesAreReadAndTrimmed() {
        Settings settings = Settings.from(Map.of("DYNRAG_HTTP_PORT", " 9090 ", "DYNRAG_KAFKA_BOOTSTRAP_SERVERS",
                "kafka:9092", "DYNRAG_ADMIN_TOKEN", "secret"));
        assertThat(settings.httpPort()).isEqualTo(9090);
        assertThat(settings.kafkaBootstrapServers()).contains("kafka:9092");
        assertThat(settings.adminToken()).contains("secret");
    }

    @Test
    void malformedNumbersNameTheVariable() {
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_HTTP_PORT", "eighty")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_HTTP_PORT must be a whole number");
    }

    @Test
    void outOfRangeValuesNameTheRange() {
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_CHUNK_TOKENS", "512")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_CHUNK_TOKENS must be between 16 and 254");
    }

    @Test
    void webhookRetriesDefaultToThirtySecondsFirstAndADayInAll() {
        Settings defaults = Settings.from(Map.of());
        assertThat(defaults.webhookFirstRetry()).isEqualTo(Duration.ofSeconds(30));
        assertThat(defaults.webhookRetryWindow()).isEqualTo(Duration.ofHours(24));

        Settings fast = Settings.from(Map.of("DYNRAG_WEBHOOK_FIRST_RETRY_SECONDS", "1",
                "DYNRAG_WEBHOOK_RETRY_WINDOW_SECONDS", "10"));
        assertThat(fast.webhookFirstRetry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(fast.webhookRetryWindow()).isEqualTo(Duration.ofSeconds(10));
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_WEBHOOK_FIRST_RETRY_SECONDS", "7200")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_WEBHOOK_FIRST_RETRY_SECONDS must be between 1 and 3600");
    }

    @Test
    void trustedProxiesAreNoneByDefaultAndAMalformedListStopsTheStart() {
        assertThat(Settings.from(Map.of()).trustedProxies()).isEqualTo(TrustedProxies.NONE);
        assertThat(Settings.from(Map.of("DYNRAG_TRUSTED_PROXIES", " 10.0.0.0/8, fd00::1 ")).trustedProxies())
                .hasToString("10.0.0.0/8,fd00:0:0:0:0:0:0:1/128");
        for (String malformed : List.of("proxy.internal", "10.0.0.0/40", "10.0.0.0/8,garbage", "0.0.0.0/0")) {
            assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_TRUSTED_PROXIES", malformed))).as(malformed)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageStartingWith("DYNRAG_TRUSTED_PROXIES: ");
        }
    }

    @Test
    void corsOriginsAreNoneByDefaultAndAMalformedOneStopsTheStartNamingTheVariable() {
        assertThat(Settings.from(Map.of()).cors()).isEqualTo(CorsPolicy.NONE);
        assertThat(Settings.from(Map.of("DYNRAG_CORS_ORIGINS", "https://app.example.com, http://localhost:3000"))
                .cors().origins()).containsExactlyInAnyOrder("https://app.example.com", "http://localhost:3000");
        assertThat(Settings.from(Map.of("DYNRAG_CORS_ORIGINS", "*")).cors().anyOrigin()).isTrue();
        for (String malformed : List.of("app.example.com", "https://app.example.com/", "*,https://app.example.com")) {
            assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_CORS_ORIGINS", malformed))).as(malformed)
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageStartingWith("DYNRAG_CORS_ORIGINS: '");
        }
    }

    @Test
    void secretsStayOutOfToString() {
        Settings settings = Settings.from(Map.of("DYNRAG_ADMIN_TOKEN", "top-secret", "DYNRAG_JDBC_PASSWORD", "pw123",
                "DYNRAG_S3_SECRET_KEY", "s3-secret"));
        assertThat(settings.toString()).doesNotContain("top-secret", "pw123", "s3-secret");
    }

    @Test
    void aDefaultAboveItsCeilingStopsTheStartNamingBoth() {
        Settings defaults = Settings.from(Map.of());
        assertThat(defaults.ceilingRequestsPerMinute()).isEqualTo(defaults.defaultRequestsPerMinute());
        assertThat(defaults.ceilingRequestsPerDay()).isEqualTo(defaults.defaultRequestsPerDay());
        assertThat(defaults.ceilingMaxDocuments()).isEqualTo(defaults.defaultMaxDocuments());

        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", "1000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_CEILING_REQUESTS_PER_MINUTE (600) must be at least "
                        + "DYNRAG_DEFAULT_REQUESTS_PER_MINUTE (1000)");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_CEILING_REQUESTS_PER_DAY", "99999")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_DEFAULT_REQUESTS_PER_DAY (100000)");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_DEFAULT_MAX_DOCUMENTS", "10001")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_CEILING_MAX_DOCUMENTS");
        Settings raised = Settings.from(Map.of("DYNRAG_DEFAULT_REQUESTS_PER_MINUTE", "1000",
                "DYNRAG_CEILING_REQUESTS_PER_MINUTE", "5000"));
        assertThat(raised.ceilingRequestsPerMinute()).isEqualTo(5000);
    }

    @Test
    void urlFetchBoundsDefaultToAShareOfTheProcessAndMustHoldTheLargestPage() {
        Settings defaults = Settings.from(Map.of());
        assertThat(defaults.urlFetches()).isEqualTo(16);
        assertThat(defaults.urlFetchesPerCustomer()).isEqualTo(4);
        assertThat(defaults.urlTempBytesPerCustomer()).isGreaterThanOrEqualTo(defaults.maxUploadBytes());
        assertThat(defaults.urlFetchQueueWait()).isEqualTo(Duration.ofSeconds(10));

        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_URL_FETCHES", "2")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_URL_FETCHES (2) must be at least DYNRAG_URL_FETCHES_PER_CUSTOMER (4)");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_URL_TEMP_BYTES_PER_CUSTOMER", "1000000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_MAX_UPLOAD_BYTES");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_URL_TEMP_BYTES", "1000000")))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_URL_TEMP_BYTES_PER_CUSTOMER");
    }
}
