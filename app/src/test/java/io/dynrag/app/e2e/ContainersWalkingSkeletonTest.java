package io.dynrag.app.e2e;

import io.dynrag.app.infra.ContainersInfra;
import org.junit.jupiter.api.AfterAll;
import org.testcontainers.junit.jupiter.Testcontainers;

/** The same walking skeleton on Kafka, PostgreSQL and MinIO containers; skipped without Docker. */
@Testcontainers(disabledWithoutDocker = true)
class ContainersWalkingSkeletonTest extends WalkingSkeletonScenario {

    private static TestSystem containers;

    @Override
    protected TestSystem system() {
        synchronized (ContainersWalkingSkeletonTest.class) {
            if (containers == null) {
                containers = TestSystem.start(ContainersInfra.start());
            }
            return containers;
        }
    }

    @AfterAll
    static void stopContainers() {
        if (containers != null) {
            containers.close();
            containers = null;
        }
    }
}
