package io.dynrag.webhooks;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/** A real HTTP endpoint on loopback that receives webhooks and answers what the test scripts. */
final class TestReceiver implements AutoCloseable {

    record Received(String path, Map<String, List<String>> headers, String body) {

        String header(String name) {
            return headers.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(name))
                    .map(entry -> entry.getValue().getFirst()).findFirst().orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedQueue<Integer> scripted = new ConcurrentLinkedQueue<>();
    private volatile ToIntFunction<Received> afterScript = request -> 200;
    private volatile Duration delay = Duration.ZERO;

    TestReceiver() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** The URL of {@code path} on this receiver. */
    String url(String path) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + path;
    }

    /** The next requests are answered with these statuses, then {@link #answerFromNowOn(int)}'s. */
    TestReceiver answer(int... statuses) {
        for (int status : statuses) {
            scripted.add(status);
        }
        return this;
    }

    TestReceiver answerFromNowOn(int status) {
        return answerFromNowOn(request -> status);
    }

    /** Once the scripted statuses are used up, each request is answered with what {@code status} says. */
    TestReceiver answerFromNowOn(ToIntFunction<Received> status) {
        afterScript = status;
        return this;
    }

    TestReceiver delayEachAnswer(Duration delay) {
        this.delay = delay;
        return this;
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        Received request = new Received(exchange.getRequestURI().getPath(), Map.copyOf(exchange.getRequestHeaders()),
                body);
        received.add(request);
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Integer next = scripted.poll();
        int status = next != null ? next : afterScript.applyAsInt(request);
        if (status >= 300 && status < 400) {
            exchange.getResponseHeaders().add("Location", url("/redirected"));
        }
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
