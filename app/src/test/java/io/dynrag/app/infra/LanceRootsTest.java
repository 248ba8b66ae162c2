package io.dynrag.app.infra;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.vectorstore.LanceLocation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LanceRootsTest {

    private static final S3Settings S3 = new S3Settings(URI.create("http://127.0.0.1:9000"), "eu-west-1", "key",
            "secret", "documents");
    private static final LanceLocation UNSET = LanceLocation.local(Path.of("/unset"));

    @TempDir
    Path dataDir;

    @Test
    void anS3RootIsReachedWithTheS3Settings() {
        LanceLocation location = LanceRoots.of(Settings.from(Map.of("DYNRAG_LANCE_ROOT", "s3://lance-data/prod")), S3,
                UNSET);

        assertThat(location.root()).isEqualTo("s3://lance-data/prod");
        assertThat(location.bucket()).contains("lance-data");
        assertThat(location.storageOptions()).containsEntry("aws_endpoint", "http://127.0.0.1:9000")
                .containsEntry("aws_region", "eu-west-1")
                .containsEntry("aws_access_key_id", "key")
                .containsEntry("aws_secret_access_key", "secret")
                .containsEntry("aws_virtual_hosted_style_request", "false")
                .containsEntry("aws_allow_http", "true");
        assertThat(location.toString()).doesNotContain("secret");
    }

    @Test
    void plainHttpIsAllowedOnlyForAnHttpEndpoint() {
        S3Settings tls = new S3Settings(URI.create("https://s3.eu-west-1.amazonaws.com"), "eu-west-1", "key",
                "secret", "documents");
        assertThat(LanceRoots.of(Settings.from(Map.of("DYNRAG_LANCE_ROOT", "s3://lance-data")), tls, UNSET)
                .storageOptions()).containsEntry("aws_allow_http", "false");
    }

    @Test
    void aDirectoryRootIsLocalAndUnsetTakesTheCallersDefault() {
        assertThat(LanceRoots.of(Settings.from(Map.of("DYNRAG_LANCE_ROOT", dataDir.toString())), S3, UNSET))
                .isEqualTo(LanceLocation.local(dataDir));
        assertThat(LanceRoots.of(Settings.from(Map.of()), S3, UNSET)).isEqualTo(UNSET);
        assertThat(LanceRoots.of(Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString())), S3))
                .isEqualTo(LanceLocation.local(dataDir.resolve("lance")));
        assertThat(LanceLocation.local(dataDir).bucket()).isEmpty();
    }

    @Test
    void otherObjectStoresAndInvalidBucketsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_LANCE_ROOT", "gs://bucket/prefix")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("DYNRAG_LANCE_ROOT")
                .hasMessageContaining("gs://bucket/prefix");
        assertThatThrownBy(() -> Settings.from(Map.of("DYNRAG_LANCE_ROOT", "s3://Not_A_Bucket/x")))
                .isInstanceOf(InvalidSettingException.class).hasMessageContaining("DYNRAG_LANCE_ROOT");
    }

    @Test
    void devKeepsNewDatasetsOnTheEmbeddedServerAndOldOnesWhereTheyAre() throws IOException {
        Settings settings = Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString()));
        assertThat(LanceRoots.devDefault(settings, S3).root()).isEqualTo("s3://" + LanceRoots.DEV_BUCKET + "/lance");

        Files.createDirectories(dataDir.resolve("lance"));
        assertThat(LanceRoots.devDefault(settings, S3)).isEqualTo(LanceLocation.local(dataDir.resolve("lance")));
    }
}
