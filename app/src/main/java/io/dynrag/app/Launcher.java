package io.dynrag.app;

import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.LocalServers;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What the launcher that started this process adds to the production commands. The production
 * launcher ({@link Main}, the image's executable) adds nothing. The dev launcher (module
 * {@code dev}) adds {@code dev} and the dev data directory's servers; the benchmarks' launcher
 * (module {@code benchmarks}) adds {@code bench} to those. Each launcher's main class passes its
 * own to {@link Main#launch}: nothing is looked up at run time.
 *
 * @param commands     commands beyond the production ones, by name
 * @param localServers the dev data directory's servers, for commands run with no servers configured
 */
public record Launcher(Map<String, Command> commands, Optional<LocalServers> localServers) {

    /** The production launcher: the commands of this module, and servers only as configured. */
    public static final Launcher PRODUCTION = new Launcher(Map.of(), Optional.empty());

    /** A command of the {@code dynrag} CLI. */
    @FunctionalInterface
    public interface Command {
        /**
         * @param args the arguments after the command's name
         * @return the process's exit status
         */
        int run(Settings settings, String[] args, PrintStream out);
    }

    public Launcher {
        commands = Map.copyOf(commands);
    }

    /** This launcher with one more command. */
    public Launcher with(String name, Command command) {
        Map<String, Command> more = new HashMap<>(commands);
        more.put(name, command);
        return new Launcher(more, localServers);
    }
}
