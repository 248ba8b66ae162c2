package io.dynrag.app.infra;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The checks of {@link EmbeddedInfraTest} against containers; skipped where no Docker engine answers. */
@Tag("e2e")
@Testcontainers(disabledWithoutDocker = true)
class ContainersInfraTest {

    @Test
    void serversWork() throws Exception {
        try (ContainersInfra infra = ContainersInfra.start()) {
            InfraChecks.writeAndReadBack(infra);
            InfraChecks.writtenDataIsStillThere(infra);
        }
    }
}
