package io.dynrag.projections;

import io.dynrag.projections.document.DocumentCatalog;
import io.dynrag.projections.document.DocumentsProjection;
import org.flywaydb.core.Flyway;

import javax.sql.DataSource;
import java.util.List;

/** The projections role: migrates its schema and runs every read model. */
public final class Projections implements AutoCloseable {

    public static final String SCHEMA = "projections";

    private final List<ProjectionRunner> runners;
    private final DocumentCatalog documents;

    /** @param dataSource a pool whose connections use the {@value #SCHEMA} schema */
    public Projections(DataSource dataSource, String kafkaBootstrapServers) {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .defaultSchema(SCHEMA)
                .table("flyway_history")
                .locations("classpath:db/migration/projections")
                .load()
                .migrate();
        this.runners = List.of(new ProjectionRunner(new DocumentsProjection(), dataSource, kafkaBootstrapServers));
        this.documents = new DocumentCatalog(dataSource);
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
