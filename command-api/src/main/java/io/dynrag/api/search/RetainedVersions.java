package io.dynrag.api.search;

import java.util.OptionalLong;

/** What the cleanup of a dataset's history has kept (the tenant's vector store). */
@FunctionalInterface
public interface RetainedVersions {

    /** The oldest version of the tenant's dataset for the model; empty when the dataset does not exist. */
    OptionalLong earliest(String customerId, String model);
}
