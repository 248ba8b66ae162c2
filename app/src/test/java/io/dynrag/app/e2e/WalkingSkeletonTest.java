package io.dynrag.app.e2e;

import io.dynrag.app.infra.Infra;

/**
 * The walking skeleton on the servers chosen by {@code -Dinfra} (default: the in-process Kafka
 * broker, PostgreSQL and S3 server).
 */
class WalkingSkeletonTest extends WalkingSkeletonScenario {

    @Override
    protected Infra startInfra() {
        return Infra.start();
    }
}
