package io.dynrag.app.e2e;

import io.dynrag.app.infra.ContainersInfra;
import io.dynrag.app.infra.Infra;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The same walking skeleton on Kafka, PostgreSQL and MinIO containers; skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ContainersWalkingSkeletonTest extends WalkingSkeletonScenario {

    @Override
    protected Infra startInfra() {
        return ContainersInfra.start();
    }
}
