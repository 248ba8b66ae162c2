package io.dynrag.platform.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * What the exceptions of the services (the domain's refusals: a budget exceeded, a deleted document, an
 * address refused) answer as {@code application/problem+json}: each exception type with the {@link ApiProblem}
 * it becomes. Services know nothing of HTTP; the API's assembly builds one mapping for all of them, the
 * {@link HttpServer} answers every handler's exception through it, and whatever answers many outcomes in one
 * response (a batch, per item) asks it the same way. A type answers for its subclasses unless they are mapped
 * themselves.
 */
public final class ProblemMapping {

    /** Maps nothing: only {@link ApiProblem}s, which answer for themselves. */
    public static final ProblemMapping NONE = new ProblemMapping(Map.of());

    private final Map<Class<? extends RuntimeException>, Function<RuntimeException, ApiProblem>> problems;

    private ProblemMapping(Map<Class<? extends RuntimeException>, Function<RuntimeException, ApiProblem>> problems) {
        this.problems = problems;
    }

    /** This mapping, and exceptions of {@code type} answered with the problem {@code problem} makes of them. */
    public <E extends RuntimeException> ProblemMapping answer(Class<E> type, Function<? super E, ApiProblem> problem) {
        if (problems.containsKey(type)) {
            throw new IllegalArgumentException(type.getName() + " is mapped already");
        }
        Map<Class<? extends RuntimeException>, Function<RuntimeException, ApiProblem>> more =
                new LinkedHashMap<>(problems);
        more.put(type, exception -> problem.apply(type.cast(exception)));
        return new ProblemMapping(Map.copyOf(more));
    }

    /**
     * The problem a failure answers: an {@link ApiProblem} itself, else the mapping of its type or of its nearest
     * mapped superclass; empty for a failure no mapping knows (a fault, answered 5xx by the caller).
     */
    public Optional<ApiProblem> problemFor(Throwable failure) {
        if (failure instanceof ApiProblem problem) {
            return Optional.of(problem);
        }
        for (Class<?> type = failure.getClass(); type != null; type = type.getSuperclass()) {
            Function<RuntimeException, ApiProblem> problem = problems.get(type);
            if (problem != null) {
                return Optional.of(problem.apply((RuntimeException) failure));
            }
        }
        return Optional.empty();
    }

    /** The mapped types, each of which the server registers an exception handler for. */
    Set<Class<? extends RuntimeException>> types() {
        return problems.keySet();
    }
}
