package io.dynrag.api.document.batch;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dynrag.api.document.DocumentEndpoints;
import io.dynrag.api.document.DocumentIntake;
import io.dynrag.api.document.MetadataField;
import io.dynrag.api.document.UrlIntake;
import io.dynrag.identity.access.Access;
import io.dynrag.identity.credentials.Scope;
import io.dynrag.platform.http.ApiProblem;
import io.dynrag.platform.http.MultipartBodies;
import io.dynrag.platform.http.ProblemDetails;
import io.dynrag.platform.http.ProblemMapping;
import io.dynrag.platform.idempotency.IdempotentPosts;
import io.dynrag.platform.idempotency.NewIds;
import io.dynrag.platform.persistence.DatabaseException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.UploadedFile;
import io.javalin.http.util.MultipartUtil;
import jakarta.servlet.MultipartConfigElement;
import org.axonframework.commandhandling.CommandExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code POST /v1/documents/batch}: many files (multipart) or many URLs (JSON) in one request, each
 * taken in exactly like a single upload and answered on its own. Items are independent: a refused
 * item stores nothing and stops no other.
 */
public final class BatchEndpoints implements Consumer<RoutesConfig> {

    private static final Logger log = LoggerFactory.getLogger(BatchEndpoints.class);
    /** Items taken in at once: fetching URLs mostly waits on other servers, but politely. */
    static final int PARALLEL_ITEMS = 4;
    private static final Pattern TITLE_FIELD = Pattern.compile("title\\[(\\d{1,6})]");
    private static final Pattern METADATA_FIELD = Pattern.compile("metadata\\[(\\d{1,6})]");
    private static final int MULTIPART_MEMORY_BYTES = 64 * 1024;

    private final Access access;
    private final DocumentIntake intake;
    private final UrlIntake urls;
    private final BatchLimits limits;
    private final ProblemMapping refusals;

    /** @param refusals what each refusal answers: an item gets the problem a single request would have */
    public BatchEndpoints(Access access, DocumentIntake intake, UrlIntake urls, BatchLimits limits,
                          ProblemMapping refusals) {
        this.access = access;
        this.intake = intake;
        this.urls = urls;
        this.limits = limits;
        this.refusals = refusals;
    }

    public record BatchRequest(List<UrlIntake.UrlRequest> items) {
    }

    /**
     * One item's outcome.
     *
     * @param status  the HTTP status the item would have had on its own: 202 when taken in
     * @param problem why the item was refused, as the problem a single request would have answered
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ItemResult(int index, int status, String documentId, Integer version, ProblemDetails problem) {
    }

    public record BatchResponse(List<ItemResult> results) {
    }

    @Override
    public void accept(RoutesConfig routes) {
        // Set before the endpoint runs, so whatever parses the body first (an Idempotency-Key check) uses it.
        routes.before("/v1/documents/batch", this::useBatchMultipartLimits);
        routes.post("/v1/documents/batch", this::batch);
    }

    /** Files over the customer's limit are refused one by one, so only the batch as a whole has a size limit here. */
    private void useBatchMultipartLimits(Context ctx) {
        ctx.req().setAttribute(MultipartUtil.MULTIPART_CONFIG_ATTRIBUTE, new MultipartConfigElement(
                System.getProperty("java.io.tmpdir"), -1, limits.maxBytes(), MULTIPART_MEMORY_BYTES));
    }

    /** 200 when every item was taken in, 207 when any was refused. */
    private void batch(Context ctx) {
        String customerId = access.customer(ctx, Scope.INGEST).customerId();
        List<Supplier<DocumentIntake.Accepted>> items;
        if (DocumentEndpoints.isJson(ctx)) {
            items = urlItems(customerId, ctx.bodyAsClass(BatchRequest.class), IdempotentPosts.newIds(ctx));
        } else if (Optional.ofNullable(ctx.contentType()).orElse("").toLowerCase(Locale.ROOT)
                .startsWith("multipart/form-data")) {
            items = fileItems(ctx, customerId, IdempotentPosts.newIds(ctx));
        } else {
            throw ApiProblem.unsupportedMediaType("send the batch as multipart/form-data with one 'file' part per "
                    + "document (and optional 'title[i]' fields), or as application/json {\"items\": [{\"url\", "
                    + "\"title\"}]}");
        }
        List<ItemResult> results = takeIn(items, ctx.path());
        boolean allTaken = results.stream().allMatch(result -> result.problem() == null);
        ctx.status(allTaken ? 200 : 207).json(new BatchResponse(results));
    }

    private List<Supplier<DocumentIntake.Accepted>> urlItems(String customerId, BatchRequest request, NewIds ids) {
        if (request.items() == null || request.items().isEmpty()) {
            throw ApiProblem.badRequest("'items' is required: a list of {\"url\", \"title\"} objects");
        }
        checkCount(request.items().size());
        List<Supplier<DocumentIntake.Accepted>> items = new ArrayList<>();
        for (int i = 0; i < request.items().size(); i++) {
            UrlIntake.UrlRequest item = request.items().get(i);
            int index = i;
            items.add(() -> {
                if (item == null) {
                    throw ApiProblem.badRequest("the item must be an object {\"url\", \"title\"}, not null");
                }
                return urls.create(customerId, item, ids, index);
            });
        }
        return items;
    }

    private List<Supplier<DocumentIntake.Accepted>> fileItems(Context ctx, String customerId, NewIds ids) {
        if (ctx.req().getContentLengthLong() > limits.maxBytes()) {
            throw tooLarge();
        }
        List<UploadedFile> files = MultipartBodies.read(() -> ctx.uploadedFiles("file"), this::tooLarge);
        Map<String, List<String>> fields = MultipartBodies.read(ctx::formParamMap, this::tooLarge);
        if (files.isEmpty()) {
            throw ApiProblem.badRequest("the batch has no 'file' parts");
        }
        checkCount(files.size());
        String[] titles = indexedFields(fields, files.size(), TITLE_FIELD);
        String[] metadata = indexedFields(fields, files.size(), METADATA_FIELD);
        List<Supplier<DocumentIntake.Accepted>> items = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            UploadedFile file = files.get(i);
            int index = i;
            items.add(() -> intake.create(customerId, new DocumentIntake.Content(file.filename(), titles[index],
                    file::content, MetadataField.parse(metadata[index], "metadata[" + index + "]")), ids, index));
        }
        return items;
    }

    /**
     * The optional {@code title[i]} or {@code metadata[i]} fields ({@code pattern}), by the index of their file
     * part; any field that is neither is a mistake.
     */
    private static String[] indexedFields(Map<String, List<String>> fields, int files, Pattern pattern) {
        String[] found = new String[files];
        fields.forEach((name, values) -> {
            if ("file".equals(name)) {
                return;
            }
            Matcher field = pattern.matcher(name);
            Matcher other = (pattern == TITLE_FIELD ? METADATA_FIELD : TITLE_FIELD).matcher(name);
            if (other.matches() && Integer.parseInt(other.group(1)) < files) {
                return;
            }
            if (!field.matches() || Integer.parseInt(field.group(1)) >= files) {
                throw ApiProblem.badRequest("unknown field '" + name + "': a batch has 'file' parts and optional "
                        + "'title[i]' and 'metadata[i]' fields, i from 0 to " + (files - 1));
            }
            if (values.size() != 1) {
                throw ApiProblem.badRequest("the field '" + name + "' is given " + values.size() + " times");
            }
            found[Integer.parseInt(field.group(1))] = values.getFirst();
        });
        return found;
    }

    private void checkCount(int items) {
        if (items > limits.maxItems()) {
            throw ApiProblem.tooLarge("a batch holds at most " + limits.maxItems() + " documents, not " + items);
        }
    }

    private ApiProblem tooLarge() {
        return ApiProblem.tooLarge("the batch is larger than " + limits.maxBytes() + " bytes");
    }

    private List<ItemResult> takeIn(List<Supplier<DocumentIntake.Accepted>> items, String path) {
        List<Future<ItemResult>> outcomes = new ArrayList<>();
        try (ExecutorService workers = Executors.newFixedThreadPool(PARALLEL_ITEMS, Thread.ofVirtual().factory())) {
            for (int i = 0; i < items.size(); i++) {
                int index = i;
                outcomes.add(workers.submit(() -> takeIn(index, items.get(index), path)));
            }
        }
        List<ItemResult> results = new ArrayList<>();
        for (Future<ItemResult> outcome : outcomes) {
            try {
                results.add(outcome.get());
            } catch (ExecutionException e) {
                throw new IllegalStateException("a batch item escaped its own error handling", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw ApiProblem.unavailable("the server is shutting down; retry shortly");
            }
        }
        return results;
    }

    private ItemResult takeIn(int index, Supplier<DocumentIntake.Accepted> item, String path) {
        try {
            DocumentIntake.Accepted accepted = item.get();
            return new ItemResult(index, 202, accepted.documentId(), accepted.version(), null);
        } catch (RuntimeException e) {
            ProblemDetails problem = problemOf(e, path);
            return new ItemResult(index, problem.status(), null, null, problem);
        }
    }

    /** What a single request would have answered, without internals (those go to the log). */
    private ProblemDetails problemOf(RuntimeException e, String path) {
        Throwable cause = e instanceof CommandExecutionException && e.getCause() != null ? e.getCause() : e;
        Optional<ApiProblem> refusal = refusals.problemFor(cause);
        if (refusal.isPresent()) {
            return ProblemDetails.of(refusal.get(), path);
        }
        return switch (cause) {
            case DatabaseException database -> {
                log.error("Database failure on a batch item", database);
                yield ProblemDetails.of(503, "Service Unavailable", "the database is unavailable; retry shortly",
                        path);
            }
            default -> {
                log.error("Unexpected failure on a batch item", e);
                yield ProblemDetails.of(500, "Internal Server Error", "the item failed unexpectedly; it was logged",
                        path);
            }
        };
    }
}
