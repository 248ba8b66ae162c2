package io.dynrag.platform.http;

import java.util.function.Supplier;

/** Reading a multipart body, with every way it can be refused answered as a client error. */
public final class MultipartBodies {

    private MultipartBodies() {
    }

    /**
     * @param read     reads the parts (Javalin parses the body on first access)
     * @param tooLarge the problem for a body over the configured limits, which Jetty reports while parsing
     */
    public static <T> T read(Supplier<T> read, Supplier<ApiProblem> tooLarge) {
        try {
            return read.get();
        } catch (IllegalStateException e) {
            throw tooLarge.get();
        } catch (Exception e) {
            // Also catches Jetty's checked ServletException for a malformed body, which Javalin rethrows undeclared.
            throw ApiProblem.badRequest("the multipart body could not be read: " + innermostMessage(e));
        }
    }

    private static String innermostMessage(Throwable failure) {
        Throwable innermost = failure;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        return String.valueOf(innermost.getMessage());
    }
}
