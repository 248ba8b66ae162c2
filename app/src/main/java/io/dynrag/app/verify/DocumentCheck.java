package io.dynrag.app.verify;

import io.dynrag.app.verify.DocumentHistory.UploadedVersion;
import io.dynrag.app.verify.UploadedObjects.StoredObject;
import io.dynrag.domain.document.IndexingStats;
import io.dynrag.pipeline.ingestion.DocumentRemoval;
import io.dynrag.vectorstore.dataset.ChunkRow;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Compares what one document's events say with its rows in the tenant's datasets and its objects
 * in the object store. Reads only.
 *
 * <ul>
 *   <li>Every version recorded as indexed: its dataset version still exists and holds exactly the
 *       rows indexing recorded.</li>
 *   <li>A document that is not deleted: the pinned latest version of the dataset of its latest
 *       indexed version's model holds exactly that version's rows; no other dataset holds rows of
 *       it; every uploaded version's object is there with the recorded size and SHA-256.</li>
 *   <li>A deleted document whose removal is recorded: no dataset holds rows of it, the dataset
 *       version recorded as the removal holds none, and its objects are gone (the pipeline deletes
 *       them before recording the removal).</li>
 * </ul>
 * Versions still in the pipeline, failed versions and removals not yet recorded are notes; rows of
 * a version still in the pipeline are expected, since the pipeline writes before it records.
 */
final class DocumentCheck {

    private final ChunkDatasets datasets;
    private final UploadedObjects objects;
    private final Coverage coverage;

    DocumentCheck(ChunkDatasets datasets, UploadedObjects objects, Coverage coverage) {
        this.datasets = datasets;
        this.objects = objects;
        this.coverage = coverage;
    }

    List<Finding> check(DocumentHistory document) {
        coverage.document(document);
        List<Finding> findings = new ArrayList<>(recordedVersions(document));
        if (document.deleted()) {
            findings.addAll(document.removedFromIndexAt().isPresent()
                    ? removed(document, document.removedFromIndexAt().getAsLong())
                    : List.of(Finding.note(Finding.document(document.documentId()),
                    "deleted; its removal from the index is not recorded yet, so its rows and objects may remain")));
        } else {
            findings.addAll(current(document));
            findings.addAll(uploadedObjects(document));
            findings.addAll(pipelineState(document));
        }
        return findings;
    }

    private List<Finding> recordedVersions(DocumentHistory document) {
        List<Finding> findings = new ArrayList<>();
        for (UploadedVersion version : document.versions()) {
            if (version.indexed().isEmpty()) {
                continue;
            }
            IndexingStats stats = version.indexed().get();
            String where = "version " + stats.lanceVersion() + " of dataset " + stats.model()
                    + " (recorded when it was indexed)";
            if (datasets.cleanedUp(stats.model(), stats.lanceVersion())) {
                // Past the time-travel retention: searches no longer read it, its rows are gone by design.
                continue;
            }
            if (!datasets.hasVersion(stats.model(), stats.lanceVersion())) {
                findings.add(Finding.discrepancy(Finding.document(document.documentId(), version.version()),
                        where + " no longer exists"));
                continue;
            }
            coverage.datasetVersion(stats.model(), stats.lanceVersion());
            findings.addAll(IndexedRowsCheck.check(document.documentId(), version.version(), stats,
                    datasets.rows(stats.model(), document.documentId(), stats.lanceVersion()), where));
        }
        return findings;
    }

    private List<Finding> current(DocumentHistory document) {
        Optional<UploadedVersion> indexed = document.latestIndexed();
        Optional<String> expectedModel = indexed.map(v -> v.indexed().orElseThrow().model());
        Set<String> models = new LinkedHashSet<>(new TreeSet<>(datasets.models()));
        expectedModel.ifPresent(models::add);
        List<Finding> findings = new ArrayList<>();
        for (String model : models) {
            boolean expectedHere = expectedModel.filter(model::equals).isPresent();
            OptionalLong latest = datasets.latestVersion(model);
            if (latest.isEmpty()) {
                findings.add(Finding.discrepancy(
                        Finding.document(document.documentId(), indexed.orElseThrow().version()),
                        "dataset " + model + " does not exist, expected it to hold the document's rows"));
                continue;
            }
            if (!expectedHere && datasets.rowsPerDocument(model).getOrDefault(document.documentId(), 0) == 0) {
                continue;
            }
            String where = "the latest version (" + latest.getAsLong() + ") of dataset " + model;
            List<ChunkRow> rows = datasets.rows(model, document.documentId(), latest.getAsLong());
            coverage.datasetVersion(model, latest.getAsLong());
            Set<Integer> rowVersions = rows.stream().map(ChunkRow::docVersion)
                    .collect(Collectors.toCollection(TreeSet::new));
            Set<Integer> inFlight = document.inFlight().stream().map(UploadedVersion::version)
                    .collect(Collectors.toSet());
            if (!rows.isEmpty() && inFlight.containsAll(rowVersions)) {
                int version = rowVersions.iterator().next();
                findings.add(Finding.note(Finding.document(document.documentId(), version), where + " holds "
                        + rows.size() + " rows of v" + version
                        + ", which is being indexed; its result is not recorded yet"));
            } else if (expectedHere) {
                UploadedVersion version = indexed.orElseThrow();
                findings.addAll(IndexedRowsCheck.check(document.documentId(), version.version(),
                        version.indexed().orElseThrow(), rows, where));
            } else {
                findings.add(Finding.discrepancy(Finding.document(document.documentId()), where + " holds "
                        + rows.size() + " rows of " + versionList(rowVersions) + ", expected none: "
                        + indexed.map(v -> "v" + v.version() + " is indexed in dataset " + expectedModel.get())
                        .orElse("no version is indexed")));
            }
        }
        return findings;
    }

    private List<Finding> removed(DocumentHistory document, long removedAt) {
        String subject = Finding.document(document.documentId());
        List<Finding> findings = new ArrayList<>();
        for (String model : new TreeSet<>(datasets.models())) {
            long latest = datasets.latestVersion(model).orElseThrow();
            coverage.datasetVersion(model, latest);
            int rows = datasets.rowsPerDocument(model).getOrDefault(document.documentId(), 0);
            if (rows > 0) {
                findings.add(Finding.discrepancy(subject, "deleted and removed from the index at version "
                        + removedAt + ", but the latest version (" + latest + ") of dataset " + model
                        + " holds " + rows + " rows of it, expected none"));
            }
        }
        List<String> models = document.indexedModels();
        if (removedAt > 0 && models.size() == 1) {
            String model = models.getFirst();
            String where = "version " + removedAt + " of dataset " + model + " (recorded as its removal)";
            if (datasets.cleanedUp(model, removedAt)) {
                // Past the time-travel retention, like the versions recorded before it: gone by design.
                coverage.datasetVersion(model, datasets.latestVersion(model).orElseThrow());
            } else if (!datasets.hasVersion(model, removedAt)) {
                findings.add(Finding.discrepancy(subject, where + " no longer exists"));
            } else {
                coverage.datasetVersion(model, removedAt);
                int rows = datasets.rows(model, document.documentId(), removedAt).size();
                if (rows > 0) {
                    findings.add(Finding.discrepancy(subject, where + " holds " + rows + " rows of it, expected none"));
                }
            }
        } else if (removedAt > 0 && models.size() > 1) {
            findings.add(Finding.note(subject, "indexed with " + String.join(" and ", models)
                    + "; the recorded removal version " + removedAt + " names one of those datasets, "
                    + "so only their latest versions are checked"));
        }
        document.versions().forEach(version -> coverage.object(version.s3Key()));
        List<String> left = objects.keysUnder(
                DocumentRemoval.objectPrefix(document.customerId(), document.documentId()));
        if (!left.isEmpty()) {
            findings.add(Finding.discrepancy(subject, "deleted and removed, but " + left.size()
                    + " stored objects remain: " + String.join(", ", left) + ", expected none"));
        }
        return findings;
    }

    private List<Finding> uploadedObjects(DocumentHistory document) {
        List<Finding> findings = new ArrayList<>();
        Set<String> checked = new LinkedHashSet<>();
        for (UploadedVersion version : document.versions()) {
            if (!checked.add(version.s3Key())) {
                continue;
            }
            coverage.object(version.s3Key());
            String subject = Finding.document(document.documentId(), version.version());
            Optional<StoredObject> found = objects.find(version.s3Key());
            if (found.isEmpty()) {
                findings.add(Finding.discrepancy(subject, "object " + version.s3Key() + " is missing, expected "
                        + version.bytes() + " bytes with sha256 " + version.sha256()));
                continue;
            }
            if (found.get().bytes() != version.bytes()) {
                findings.add(Finding.discrepancy(subject, "object " + version.s3Key() + " holds "
                        + found.get().bytes() + " bytes, expected " + version.bytes()));
            }
            if (!found.get().sha256().equals(version.sha256())) {
                findings.add(Finding.discrepancy(subject, "object " + version.s3Key() + " has sha256 "
                        + found.get().sha256() + ", expected " + version.sha256()));
            }
        }
        return findings;
    }

    private List<Finding> pipelineState(DocumentHistory document) {
        UploadedVersion latest = document.latest();
        String subject = Finding.document(document.documentId(), latest.version());
        String earlier = document.latestIndexed().map(v -> "; v" + v.version() + " stays the indexed version")
                .orElse("; no version is indexed");
        return switch (latest.status()) {
            case INDEXED -> List.of();
            case FAILED -> List.of(Finding.note(subject, "FAILED (" + latest.failureReason().orElse("no reason")
                    + ")" + earlier));
            case PENDING, PROCESSING -> List.of(Finding.note(subject, latest.status() + " in the pipeline" + earlier));
        };
    }

    private static String versionList(Set<Integer> versions) {
        return versions.stream().map(v -> "v" + v).collect(Collectors.joining(", "));
    }
}
