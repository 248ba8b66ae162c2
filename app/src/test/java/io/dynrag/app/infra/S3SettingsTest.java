package io.dynrag.app.infra;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.vectorstore.LanceLocation;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;

import java.net.URI;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class S3SettingsTest {

    @Test
    void withoutEndpointOrKeyTheClientsTalkToAwsS3WithTheDefaultCredentials() {
        S3Settings aws = S3Settings.external(Settings.from(Map.of("DYNRAG_S3_REGION", "eu-central-1")));

        assertThat(aws.endpoint()).isEmpty();
        assertThat(aws.key()).isEmpty();
        try (S3Client client = S3Clients.create(aws)) {
            assertThat(client.serviceClientConfiguration().endpointOverride()).isEmpty();
            assertThat(client.serviceClientConfiguration().region().id()).isEqualTo("eu-central-1");
            assertThat(client.serviceClientConfiguration().credentialsProvider())
                    .isNotInstanceOf(StaticCredentialsProvider.class);
        }
        LanceLocation lance = LanceRoots.of(Settings.from(Map.of("DYNRAG_LANCE_ROOT", "s3://datasets/lance")), aws);
        // No key options: Lance finds the AWS credentials itself.
        assertThat(lance.storageOptions()).doesNotContainKeys("aws_endpoint", "aws_access_key_id",
                        "aws_secret_access_key", "aws_allow_http")
                .containsEntry("aws_region", "eu-central-1")
                .containsEntry("aws_virtual_hosted_style_request", "true");
    }

    @Test
    void anEndpointAndAKeyAreUsedAsSet() {
        S3Settings minio = S3Settings.external(Settings.from(Map.of("DYNRAG_S3_ENDPOINT", "http://minio:9000",
                "DYNRAG_S3_ACCESS_KEY", "id", "DYNRAG_S3_SECRET_KEY", "secret")));

        try (S3Client client = S3Clients.create(minio)) {
            assertThat(client.serviceClientConfiguration().endpointOverride())
                    .contains(URI.create("http://minio:9000"));
            assertThat(client.serviceClientConfiguration().credentialsProvider().resolveIdentity().join().accessKeyId())
                    .isEqualTo("id");
        }
        assertThat(minio.toString()).contains("id").doesNotContain("secret");
    }

    @Test
    void anEmbeddedServerGetsTheDevKeyUnlessOneIsSet() {
        URI embedded = URI.create("http://127.0.0.1:9999");

        S3Settings dev = S3Settings.embedded(Settings.from(Map.of()), embedded);
        assertThat(dev.endpoint()).contains(embedded);
        assertThat(dev.key()).contains(new LanceLocation.S3Key("dynrag", "dynrag-secret"));
        assertThat(S3Settings.embedded(Settings.from(Map.of("DYNRAG_S3_ACCESS_KEY", "mine",
                "DYNRAG_S3_SECRET_KEY", "its-secret")), embedded).key())
                .contains(new LanceLocation.S3Key("mine", "its-secret"));
    }

    @Test
    void halfAKeyIsRefusedNamingTheMissingHalf() {
        assertThatThrownBy(() -> S3Settings.external(Settings.from(Map.of("DYNRAG_S3_ACCESS_KEY", "id"))))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("only DYNRAG_S3_ACCESS_KEY is set");
    }
}
