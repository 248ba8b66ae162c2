package io.dynrag.app.infra;

import java.net.URI;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/** The same servers as {@link EmbeddedInfra}, in Docker containers started by Testcontainers. */
public final class ContainersInfra implements Infra {

    // Same broker version as the kafka-clients we build against and the embedded broker.
    static final DockerImageName KAFKA_IMAGE = DockerImageName.parse("apache/kafka:4.4.0");
    static final DockerImageName POSTGRES_IMAGE = DockerImageName.parse("postgres:17-alpine");
    static final DockerImageName MINIO_IMAGE = DockerImageName.parse("minio/minio:RELEASE.2025-09-07T16-13-09Z");

    private static final int MINIO_PORT = 9000;
    private static final String S3_REGION = "us-east-1";
    private static final String S3_ACCESS_KEY = "dynrag-test";
    private static final String S3_SECRET_KEY = "dynrag-test-secret";
    private static final String S3_BUCKET = "dynrag";

    private final KafkaContainer kafka;
    private final PostgreSQLContainer postgres;
    private final GenericContainer<?> minio;

    private ContainersInfra(KafkaContainer kafka, PostgreSQLContainer postgres, GenericContainer<?> minio) {
        this.kafka = kafka;
        this.postgres = postgres;
        this.minio = minio;
    }

    public static ContainersInfra start() {
        KafkaContainer kafka = new KafkaContainer(KAFKA_IMAGE);
        PostgreSQLContainer postgres = new PostgreSQLContainer(POSTGRES_IMAGE).withDatabaseName("dynrag");
        GenericContainer<?> minio = new GenericContainer<>(MINIO_IMAGE)
                .withCommand("server", "/data")
                .withEnv("MINIO_ROOT_USER", S3_ACCESS_KEY)
                .withEnv("MINIO_ROOT_PASSWORD", S3_SECRET_KEY)
                .withExposedPorts(MINIO_PORT)
                .waitingFor(Wait.forHttp("/minio/health/ready").forPort(MINIO_PORT));
        ContainersInfra infra = new ContainersInfra(kafka, postgres, minio);
        try {
            Startables.deepStart(kafka, postgres, minio).join();
        } catch (RuntimeException e) {
            infra.close();
            throw e;
        }
        return infra;
    }

    @Override
    public String kafkaBootstrapServers() {
        return kafka.getBootstrapServers();
    }

    @Override
    public String jdbcUrl() {
        return postgres.getJdbcUrl();
    }

    @Override
    public String jdbcUser() {
        return postgres.getUsername();
    }

    @Override
    public String jdbcPassword() {
        return postgres.getPassword();
    }

    @Override
    public S3Settings s3() {
        URI endpoint = URI.create("http://" + minio.getHost() + ":" + minio.getMappedPort(MINIO_PORT));
        return new S3Settings(endpoint, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET);
    }

    @Override
    public void close() {
        minio.stop();
        postgres.stop();
        kafka.stop();
    }
}
