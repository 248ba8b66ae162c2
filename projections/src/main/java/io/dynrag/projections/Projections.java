package io.dynrag.projections;

import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.document.DocumentsProjection;
import io.dynrag.projections.usage.UsageProjection;
import io.dynrag.schemas.connection.KafkaConnection;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.List;

/** The projections role: migrates its schema and runs every read model. */
public final class Projections implements AutoCloseable {

    public static final String SCHEMA = "projections";

    private final List<ProjectionRunner> runners;
    private final DocumentCatalog documents;

    /** @param dataSource a pool whose connections use the {@value #SCHEMA} schema */
    public Projections(DataSource dataSource, KafkaConnection kafka) {
        migrate(dataSource, SCHEMA);
        this.runners = all().stream()
                .map(projection -> new ProjectionRunner(projection, dataSource, kafka))
                .toList();
        this.documents = new DocumentCatalog(dataSource);
    }

    /** Every read model, each with its own tables and offsets. */
    public static List<Projection> all() {
        return List.of(new DocumentsProjection(), new UsageProjection());
    }

    /** The Kafka consumer group of a projection's live runner (used for membership only, not for offsets). */
    public static String consumerGroup(Projection projection) {
        return "dynrag-projection-" + projection.name();
    }

    /** Creates or upgrades the read-model tables in {@code schema}: the live one, or a replay's. */
    public static void migrate(DataSource dataSource, String schema) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(schema)
                .defaultSchema(schema)
                .table("flyway_history")
                .locations("classpath:db/migration/projections")
                .load()
                .migrate();
    }

    public Projections start() {
        runners.forEach(ProjectionRunner::start);
        return this;
    }

    public boolean isReady() {
        return runners.stream().allMatch(ProjectionRunner::isReady);
    }

    public DocumentCatalog documents() {
        return documents;
    }

    @Override
    public void close() {
        runners.forEach(ProjectionRunner::close);
    }
}
