package io.dynrag.bench;

import io.dynrag.app.Launcher;
import io.dynrag.app.Main;
import io.dynrag.dev.DevMain;

/**
 * The benchmarks' launcher ({@code benchmarks/target/dynrag-bench.jar}, what {@code ./dynrag bench}
 * runs): the dev launcher with {@code bench}. Kept apart so LangChain4j, which only the benchmarks
 * use, is on no other launcher's class path.
 */
public final class BenchMain {

    static final Launcher LAUNCHER = DevMain.LAUNCHER.with("bench",
            (settings, args, out) -> BenchCommand.run(settings, BenchCommand.parse(args), out));

    private BenchMain() {
    }

    public static void main(String[] args) {
        Main.launch(LAUNCHER, args);
    }
}
