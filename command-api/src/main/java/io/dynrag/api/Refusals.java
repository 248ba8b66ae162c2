package io.dynrag.api;

import io.dynrag.api.budget.BudgetExceededException;
import io.dynrag.api.document.DocumentLimitReachedException;
import io.dynrag.api.document.DocumentNotFoundException;
import io.dynrag.api.document.DocumentTooLargeException;
import io.dynrag.api.document.UnsupportedDocumentTypeException;
import io.dynrag.api.document.url.FetchInterruptedException;
import io.dynrag.api.document.url.NoRoomToFetchException;
import io.dynrag.api.document.url.PageAddressRefusedException;
import io.dynrag.api.document.url.PageNotFetchedException;
import io.dynrag.api.document.url.PageTooLargeException;
import io.dynrag.api.document.url.UnsupportedPageTypeException;
import io.dynrag.api.search.HistoryNotRetainedException;
import io.dynrag.api.search.VersionNotFoundException;
import io.dynrag.api.search.VersionNotSearchableException;
import io.dynrag.api.search.rerank.RerankProviderException;
import io.dynrag.domain.DomainRuleViolation;
import io.dynrag.domain.document.DocumentDeletedException;
import io.dynrag.identity.credentials.CustomerSuspendedException;
import io.dynrag.identity.credentials.NotAuthenticatedException;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.ProblemMapping;

/**
 * Every refusal the services throw, with what the API answers for it: the one place where a domain exception
 * becomes an HTTP status, title, detail (the exception's message, written for the client) and headers. The
 * HTTP server answers each handler's exception through this mapping and a batch each item's; endpoints, which
 * speak HTTP themselves, throw {@link ApiProblem}s. 401 answers also say {@code WWW-Authenticate: Bearer}
 * (the server adds it to every 401).
 */
public final class Refusals {

    private static final ProblemMapping MAPPING = ProblemMapping.NONE
            // A command or a value broke a rule of the domain; a subclass that answers otherwise has its own line.
            .answer(DomainRuleViolation.class, e -> ApiProblem.badRequest(e.getMessage()))
            .answer(DocumentDeletedException.class, e -> new ApiProblem(409, "Conflict", e.getMessage()))
            // Who calls.
            .answer(NotAuthenticatedException.class, e -> ApiProblem.unauthorized(e.getMessage()))
            .answer(CustomerSuspendedException.class, e -> ApiProblem.forbidden(e.getMessage()))
            // Documents and what they cost.
            .answer(DocumentNotFoundException.class, e -> ApiProblem.notFound(e.getMessage()))
            .answer(DocumentLimitReachedException.class, e -> ApiProblem.forbidden(e.getMessage()))
            .answer(DocumentTooLargeException.class, e -> ApiProblem.tooLarge(e.getMessage()))
            .answer(UnsupportedDocumentTypeException.class, e -> ApiProblem.unsupportedMediaType(e.getMessage()))
            .answer(BudgetExceededException.class, e -> new ApiProblem(402, "Payment Required", e.getMessage()))
            // Searches of one document version.
            .answer(VersionNotFoundException.class, e -> ApiProblem.notFound(e.getMessage()))
            .answer(VersionNotSearchableException.class, e -> new ApiProblem(409, "Conflict", e.getMessage()))
            // Searches of a past the time-travel retention no longer keeps.
            .answer(HistoryNotRetainedException.class, e -> new ApiProblem(410, "Gone", e.getMessage()))
            // A search's rerank provider failed it: not our fault, nor the request's.
            .answer(RerankProviderException.class, e -> new ApiProblem(502, "Bad Gateway", e.getMessage()))
            // Pages fetched from URLs.
            .answer(PageAddressRefusedException.class,
                    e -> new ApiProblem(422, "Unprocessable Content", e.getMessage()))
            .answer(PageNotFetchedException.class, e -> new ApiProblem(502, "Bad Gateway", e.getMessage()))
            .answer(PageTooLargeException.class, e -> ApiProblem.tooLarge(e.getMessage()))
            .answer(UnsupportedPageTypeException.class, e -> ApiProblem.unsupportedMediaType(e.getMessage()))
            .answer(NoRoomToFetchException.class, e -> e.customersShare()
                    ? new ApiProblem(429, "Too Many Requests", e.getMessage(), e.retryAfter())
                    : new ApiProblem(503, "Service Unavailable", e.getMessage(), e.retryAfter()))
            .answer(FetchInterruptedException.class, e -> ApiProblem.unavailable(e.getMessage()));

    private Refusals() {
    }

    public static ProblemMapping mapping() {
        return MAPPING;
    }
}
