package io.dynrag.api.document;

import io.dynrag.api.document.url.FetchAdmission;
import io.dynrag.api.document.url.FetchedPage;
import io.dynrag.api.document.url.NoRoomToFetchException;
import io.dynrag.api.document.url.PageFetcher;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.domain.document.DocumentMetadata;
import io.dynrag.platform.idempotency.NewIds;
import io.dynrag.platform.outbound.FetchableUrl;
import io.dynrag.platform.outbound.InvalidUrlException;

import java.util.Map;

/**
 * Takes in a document from a URL: checks the URL, waits for room to fetch it ({@link FetchAdmission}),
 * fetches the page within the customer's size limit, then hands it to {@link DocumentIntake} like an
 * upload. The temporary copy is gone, and its room given back, when this returns, whatever happened.
 */
public final class UrlIntake {

    private final DocumentIntake intake;
    private final PageFetcher fetcher;
    private final FetchAdmission admission;

    public UrlIntake(DocumentIntake intake, PageFetcher fetcher, FetchAdmission admission) {
        this.intake = intake;
        this.fetcher = fetcher;
        this.admission = admission;
    }

    /**
     * The JSON body that names a document by URL.
     *
     * @param metadata null for none (a new version: keep the document's)
     */
    public record UrlRequest(String url, String title, Map<String, Object> metadata) {
    }

    /**
     * @throws DomainRuleViolation    for a URL we never fetch or a title too long
     * @throws NoRoomToFetchException without room to fetch it; else as {@link PageFetcher#fetch} and intake
     */
    public DocumentIntake.Accepted create(String customerId, UrlRequest request, NewIds ids, int index) {
        FetchableUrl url = parse(request);
        try (FetchAdmission.Room room = admission.admit(customerId, intake.maxBytesFor(customerId));
             FetchedPage page = fetcher.fetch(url, room.bytes())) {
            return intake.create(customerId, content(page, request), ids, index);
        }
    }

    /**
     * @throws DocumentNotFoundException for an unknown document and {@link DocumentDeletedException} for a deleted
     *                                   one, before anything is fetched; else as {@link #create}
     */
    public DocumentIntake.Accepted addVersion(String customerId, String documentId, UrlRequest request) {
        FetchableUrl url = parse(request);
        DocumentStates.DocumentState state = intake.existing(customerId, documentId);
        if (state.deleted()) {
            throw new DocumentDeletedException(documentId);
        }
        try (FetchAdmission.Room room = admission.admit(customerId, intake.maxBytesFor(customerId));
             FetchedPage page = fetcher.fetch(url, room.bytes())) {
            return intake.addVersion(customerId, state.documentId(), content(page, request));
        }
    }

    /** Everything the request itself gets wrong is answered before anything is fetched. */
    private static FetchableUrl parse(UrlRequest request) {
        if (request.title() != null && request.title().strip().length() > DocumentIntake.MAX_TITLE_LENGTH) {
            throw new DomainRuleViolation("the title must be at most " + DocumentIntake.MAX_TITLE_LENGTH
                    + " characters");
        }
        DocumentMetadata.checked(request.metadata());
        try {
            return FetchableUrl.parse(request.url());
        } catch (InvalidUrlException e) {
            throw new DomainRuleViolation(e.getMessage());
        }
    }

    private static DocumentIntake.Content content(FetchedPage page, UrlRequest request) {
        return new DocumentIntake.Content(page.name(), request.title(), page::open, request.metadata());
    }
}
