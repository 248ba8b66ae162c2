package io.dynrag.api.document;

import java.util.OptionalLong;
import java.util.function.BooleanSupplier;

/** What the cleanup of a dataset's history has kept (the tenant's vector store). */
@FunctionalInterface
public interface RetainedVersions {

    /** The oldest version of the tenant's dataset for the model; empty when the dataset does not exist. */
    OptionalLong earliest(String customerId, String model);

    /**
     * The dataset version to read a document version's rows from: the one its indexing recorded while it is kept;
     * once the cleanup of the history removed it, the oldest version kept if the document version is still the
     * live document's latest indexed one (its rows are in every dataset version since); else empty, its rows gone.
     *
     * @param latestOfLiveDocument asked only when the recorded version is gone
     */
    default OptionalLong readable(String customerId, String model, long recorded,
                                  BooleanSupplier latestOfLiveDocument) {
        OptionalLong earliest = earliest(customerId, model);
        if (earliest.isEmpty() || earliest.getAsLong() <= recorded) {
            return OptionalLong.of(recorded);
        }
        return latestOfLiveDocument.getAsBoolean() ? earliest : OptionalLong.empty();
    }
}
