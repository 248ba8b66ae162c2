package io.dynrag.platform.http;

import io.javalin.http.Context;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponseWrapper;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Serves a request of one of our routes with a library's servlet that answers in one piece (the MCP SDK's stateless
 * transport), so the route keeps everything the server gives every request: the access check before, the body
 * read within the server's size limit, problem+json for every error, metering after. The servlet reads the body
 * the route has read and writes into a buffer; its answer becomes the route's. An error it sends itself
 * ({@code sendError}) or writes with an error status becomes an {@link ApiProblem}, never the container's error
 * page nor a body in the servlet's own format.
 */
public final class ServletBridge {

    private ServletBridge() {
    }

    /**
     * @throws ApiProblem 413 for a body over the server's limit; the servlet's own errors with their status
     */
    public static void serve(HttpServlet servlet, Context ctx) {
        byte[] body = ctx.bodyAsBytes();
        BufferedResponse response = new BufferedResponse(ctx);
        try {
            servlet.service(new BodyRequest(ctx, body), response);
        } catch (ServletException e) {
            throw new IllegalStateException("the servlet failed", e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        response.writer.flush();
        if (response.error != null) {
            throw new ApiProblem(response.status, titleOf(response.status), response.error);
        }
        if (response.status >= 400) {
            // A refusal the servlet wrote itself, in its protocol's words: problem+json too, as every error.
            throw new ApiProblem(response.status, titleOf(response.status), refusal(response.body.toByteArray()));
        }
        ctx.status(response.status);
        if (response.contentType != null) {
            ctx.contentType(response.contentType);
        }
        if (response.body.size() > 0) {
            ctx.result(response.body.toByteArray());
        }
    }

    /** The message of a JSON-RPC error answer ({@code error.message}), which is what the transport writes. */
    private static String refusal(byte[] body) {
        String message = null;
        try {
            message = Json.apiMapper().readTree(body).path("error").path("message").textValue();
        } catch (IOException e) {
            // not JSON: answered in general terms below
        }
        return "the request was refused by the protocol's transport" + (message == null ? "" : ": " + message);
    }

    private static String titleOf(int status) {
        return switch (status) {
            case 400 -> "Bad Request";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 413 -> "Content Too Large";
            case 415 -> "Unsupported Media Type";
            default -> status >= 500 ? "Server Error" : "Client Error";
        };
    }

    /** The request with the body the route has read. */
    private static final class BodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        BodyRequest(Context ctx, byte[] body) {
            super(ctx.req());
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream bytes = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return bytes.read();
                }

                @Override
                public int read(byte[] buffer, int offset, int length) {
                    return bytes.read(buffer, offset, length);
                }

                @Override
                public boolean isFinished() {
                    return bytes.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body has been read already");
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(getInputStream(), StandardCharsets.UTF_8));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /** Status, content type and body kept for the route to answer; headers pass through. */
    private static final class BufferedResponse extends HttpServletResponseWrapper {

        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final PrintWriter writer = new PrintWriter(new OutputStreamWriter(body, StandardCharsets.UTF_8));
        private int status = 200;
        private String contentType;
        private String error;

        BufferedResponse(Context ctx) {
            super(ctx.res());
        }

        @Override
        public void setStatus(int status) {
            this.status = status;
        }

        @Override
        public int getStatus() {
            return status;
        }

        @Override
        public void setContentType(String type) {
            this.contentType = type;
        }

        @Override
        public String getContentType() {
            return contentType;
        }

        @Override
        public void setCharacterEncoding(String charset) {
            // The buffer is always UTF-8, as the answer says.
        }

        @Override
        public void sendError(int status) {
            sendError(status, "the request was refused by the protocol's transport");
        }

        @Override
        public void sendError(int status, String message) {
            this.status = status;
            this.error = message;
        }

        @Override
        public PrintWriter getWriter() {
            return writer;
        }

        @Override
        public ServletOutputStream getOutputStream() {
            return new ServletOutputStream() {
                @Override
                public void write(int b) {
                    writer.flush();
                    body.write(b);
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setWriteListener(WriteListener listener) {
                    throw new UnsupportedOperationException("the answer is buffered");
                }
            };
        }

        @Override
        public void flushBuffer() {
            writer.flush();
        }

        @Override
        public boolean isCommitted() {
            return false;
        }
    }
}
