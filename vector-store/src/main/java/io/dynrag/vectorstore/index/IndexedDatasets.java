package io.dynrag.vectorstore.index;

/** What the {@link VectorIndexer} needs of a store: a dataset's size, whether it has an index, building one. */
public interface IndexedDatasets {

    /** Rows in the latest version of the tenant's dataset for the model; 0 if it does not exist. */
    long rowCount(String customerId, String model);

    boolean hasVectorIndex(String customerId, String model);

    /** @return the rows indexed */
    long buildVectorIndex(String customerId, String model);
}
