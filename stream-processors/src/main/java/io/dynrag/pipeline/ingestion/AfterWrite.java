package io.dynrag.pipeline.ingestion;

/** Told of every write of a job's rows to a dataset: the maintenance that follows writes (index, history). */
@FunctionalInterface
public interface AfterWrite {

    AfterWrite NOTHING = (job, model) -> { };

    /** @param model the model whose dataset was written */
    void written(IngestionJob job, String model);
}
