package io.dynrag.dev;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Consumers outside connect to dev's broker on a fixed port, so a taken one must stop dev at once and say so. */
class DevKafkaPortTest {

    @Test
    void aTakenKafkaPortStopsDevBeforeAnythingStartsAndNamesTheVariable(@TempDir Path dataDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            Settings settings = Settings.from(Map.of("DYNRAG_DATA_DIR", dataDir.toString(), "DYNRAG_HTTP_PORT", "0", "DYNRAG_MANAGEMENT_PORT", "0",
                    "DYNRAG_KAFKA_PORT", Integer.toString(port)));

            assertThatThrownBy(() -> DevMode.start(settings))
                    .isInstanceOf(InvalidSettingException.class)
                    .hasMessageStartingWith("DYNRAG_KAFKA_PORT: port " + port + " is taken")
                    .hasMessageEndingWith("set DYNRAG_KAFKA_PORT to a free port");
        }
        assertThat(dataDir).as("nothing was started").isEmptyDirectory();
    }
}
