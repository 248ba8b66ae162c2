package io.dynrag.dev;

import io.dynrag.app.Launcher;
import io.dynrag.app.Main;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;

import java.io.PrintStream;
import java.util.Map;
import java.util.Optional;

/**
 * The dev launcher ({@code dev/target/dynrag-dev.jar}, what {@code ./dynrag} runs): every
 * production command, plus {@code dev}, and the dev data directory's servers for {@code verify},
 * {@code replay} and {@code admin create-admin} when no servers are configured.
 */
public final class DevMain {

    public static final Launcher LAUNCHER = new Launcher(Map.of("dev", DevMain::dev),
            Optional.of(new DataDirectoryServers()));

    private DevMain() {
    }

    public static void main(String[] args) {
        Main.launch(LAUNCHER, args);
    }

    /** {@code dynrag dev}: the whole system until Ctrl-C. */
    static int dev(Settings settings, String[] args, PrintStream out) {
        if (args.length > 0) {
            throw new InvalidSettingException("unexpected argument '" + args[0] + "'");
        }
        DevMode dev = DevMode.start(settings);
        String url = "http://" + Main.displayHost(settings.httpHost()) + ":" + dev.httpPort();
        out.println();
        out.println("Dynamic RAG is running (dev mode, data in " + settings.dataDir() + ")");
        out.println("  API:         " + url);
        out.println("  Health:      " + url + "/health");
        out.println("  Management:  http://" + Main.displayHost(settings.managementHost()) + ":"
                + dev.managementPort() + " (/metrics, /health/live, /health/ready)");
        out.println("  Kafka:       " + dev.infrastructure().kafka().bootstrapServers() + " (topics: docs/topics.md)");
        out.println("  Admin token: " + dev.adminToken());
        out.println("               (also in " + settings.dataDir().resolve("admin-token") + ")");
        out.println("Press Ctrl-C to stop.");
        out.flush();
        Main.awaitShutdown(dev);
        return 0;
    }
}
