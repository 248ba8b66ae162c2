package io.dynrag.app.e2e;

import io.dynrag.app.infra.EmbeddedInfra;
import io.dynrag.app.infra.Infra;

/** The walking skeleton on the in-process Kafka broker, PostgreSQL and S3 server. */
class EmbeddedWalkingSkeletonTest extends WalkingSkeletonScenario {

    @Override
    protected Infra startInfra() {
        return EmbeddedInfra.startInTemporaryDirectory();
    }
}
