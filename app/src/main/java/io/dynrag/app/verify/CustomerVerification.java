package io.dynrag.app.verify;

import io.dynrag.domain.customer.CustomerDeleted;
import io.dynrag.domain.customer.CustomerRegistered;
import io.dynrag.pipeline.ingestion.TenantRemoval;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Replays a customer's events and checks the stored state against them: the chunk datasets (the
 * latest version and every version the events recorded) and the uploaded objects. Reads only.
 *
 * <p>The events are read first and the datasets pinned after, so everything the events record is
 * already in the pinned versions (the pipeline writes before it records). A document whose checks
 * fail is read again: if it gained events meanwhile, it changed while being verified and is reported
 * as a note instead.
 */
public final class CustomerVerification {

    private final EventHistory events;
    private final Function<Set<String>, ChunkDatasets> pinDatasets;
    private final UploadedObjects objects;

    /**
     * @param pinDatasets opens the tenant's datasets, pinning their latest versions; given the models
     *                    the events name besides those the tenant has datasets for
     */
    public CustomerVerification(EventHistory events, Function<Set<String>, ChunkDatasets> pinDatasets,
                                UploadedObjects objects) {
        this.events = events;
        this.pinDatasets = pinDatasets;
        this.objects = objects;
    }

    /** @throws UnknownCustomerException if the events know no such customer */
    public VerificationReport verify(String customerId) {
        List<Object> customerEvents = events.eventsOf(customerId);
        if (customerEvents.stream().noneMatch(e -> e instanceof CustomerRegistered registered
                && registered.customerId().equals(customerId))) {
            throw new UnknownCustomerException(customerId);
        }
        Coverage coverage = new Coverage();
        if (customerEvents.stream().anyMatch(CustomerDeleted.class::isInstance)) {
            return report(customerId, tenantRemoved(customerId, coverage), coverage);
        }
        Map<String, DocumentHistory> documents = new LinkedHashMap<>();
        for (String documentId : events.documentIdsOf(customerId)) {
            history(documentId).filter(h -> customerId.equals(h.customerId()))
                    .ifPresent(h -> documents.put(documentId, h));
        }
        Set<String> models = new TreeSet<>();
        documents.values().forEach(document -> models.addAll(document.indexedModels()));
        ChunkDatasets datasets = pinDatasets.apply(models);

        DocumentCheck check = new DocumentCheck(datasets, objects, coverage);
        List<Finding> findings = new ArrayList<>();
        for (DocumentHistory document : documents.values()) {
            findings.addAll(unlessChanged(document, check.check(document)));
        }
        findings.addAll(rowsOfUnknownDocuments(customerId, datasets, documents.keySet()));
        return report(customerId, findings, coverage);
    }

    private Optional<DocumentHistory> history(String documentId) {
        return DocumentHistory.replay(documentId, events.eventsOf(documentId));
    }

    private List<Finding> unlessChanged(DocumentHistory document, List<Finding> findings) {
        if (findings.stream().noneMatch(Finding::isDiscrepancy)) {
            return findings;
        }
        int now = events.eventsOf(document.documentId()).size();
        if (now == document.events()) {
            return findings;
        }
        return List.of(Finding.note(Finding.document(document.documentId()), "changed while it was verified ("
                + (now - document.events()) + " new events); verify again to check it"));
    }

    /** Rows in a latest dataset version of documents this customer's events do not hold. */
    private List<Finding> rowsOfUnknownDocuments(String customerId, ChunkDatasets datasets, Set<String> known) {
        List<Finding> findings = new ArrayList<>();
        for (String model : new TreeSet<>(datasets.models())) {
            long latest = datasets.latestVersion(model).orElseThrow();
            datasets.rowsPerDocument(model).forEach((documentId, rows) -> {
                if (known.contains(documentId)) {
                    return;
                }
                String where = "the latest version (" + latest + ") of dataset " + model + " holds " + rows + " rows";
                Optional<DocumentHistory> late = history(documentId);
                if (late.isPresent() && customerId.equals(late.get().customerId())) {
                    findings.add(Finding.note(Finding.document(documentId), where
                            + " of a document uploaded while verifying; verify again to check it"));
                } else {
                    findings.add(Finding.discrepancy(Finding.document(documentId), where
                            + " of a document the customer's events do not know, expected none"));
                }
            });
        }
        return findings;
    }

    /** A deleted customer's datasets and objects are removed by the pipeline; nothing may be left. */
    private List<Finding> tenantRemoved(String customerId, Coverage coverage) {
        String subject = "customer " + customerId;
        List<Finding> findings = new ArrayList<>();
        findings.add(Finding.note(subject, "deleted; checking that its datasets and objects are gone"));
        ChunkDatasets datasets = pinDatasets.apply(Set.of());
        for (String model : new TreeSet<>(datasets.models())) {
            findings.add(Finding.discrepancy(subject, "deleted, but dataset " + model + " remains, expected none"));
        }
        List<String> left = objects.keysUnder(TenantRemoval.objectPrefix(customerId));
        left.forEach(coverage::object);
        if (!left.isEmpty()) {
            findings.add(Finding.discrepancy(subject, "deleted, but " + left.size()
                    + " stored objects remain under " + TenantRemoval.objectPrefix(customerId) + ", expected none"));
        }
        return findings;
    }

    private static VerificationReport report(String customerId, List<Finding> findings, Coverage coverage) {
        return new VerificationReport(customerId, findings, coverage.documents(), coverage.versions(),
                coverage.datasetVersions(), coverage.objects());
    }

    /** The events hold no customer with the id asked for. */
    public static final class UnknownCustomerException extends RuntimeException {
        UnknownCustomerException(String customerId) {
            super("the events know no customer '" + customerId + "'");
        }
    }
}
