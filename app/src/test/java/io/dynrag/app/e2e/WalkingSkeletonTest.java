package io.dynrag.app.e2e;

/**
 * The walking skeleton on the servers chosen by {@code -Dinfra} (default: the in-process Kafka
 * broker, PostgreSQL and S3 server).
 */
class WalkingSkeletonTest extends WalkingSkeletonScenario {

    @Override
    protected TestSystem system() {
        return TestSystem.shared();
    }
}
