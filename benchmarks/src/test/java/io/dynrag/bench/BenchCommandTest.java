package io.dynrag.bench;

import io.dynrag.app.Main;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class BenchCommandTest {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(BenchMain.LAUNCHER, args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void benchNamesBenchmarksAndTakesWholeNumbers() {
        assertThat(run("bench")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("name the benchmarks to run");
        assertThat(run("bench", "speed")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown benchmark 'speed'");
        assertThat(run("bench", "ingest", "--documents", "many")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--documents must be a whole number");
        assertThat(run("bench", "api", "--rate", "0")).isEqualTo(2);
        assertThat(run("bench", "api", "--seconds")).isEqualTo(2);
        assertThat(run("bench", "api", "--turbo", "1")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option --turbo");
        assertThat(run("bench", "retrieval", "--set", "mysql")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("unknown retrieval set 'mysql'; choose from [postgresql, python]");
        assertThat(run("bench", "retrieval", "--filters", "--set", "python")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--set chooses a labelled set, --filters synthetic datasets: give one");
        assertThat(run("bench", "retrieval", "--filters", "--set", "python")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--set chooses a labelled set, --filters synthetic datasets: give one");
        assertThat(run("bench", "retrieval", "--model", "text-embedding-3-small")).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("--model must be a local embedding model, one of "
                + "[all-minilm-l6-v2, all-minilm-l6-v2-q, bge-small-en-v1.5, bge-small-en-v1.5-q], "
                + "was 'text-embedding-3-small'");
    }

    @Test
    void benchOptionsAreParsed() {
        var options = BenchCommand.parse(new String[]{"ingest", "api", "--documents", "20",
                "--rate", "50", "--seconds", "5"});
        assertThat(options.benchmarks()).containsExactlyInAnyOrder(BenchCommand.Benchmark.INGEST,
                BenchCommand.Benchmark.API);
        assertThat(options.documents()).isEqualTo(20);
        assertThat(options.rate()).isEqualTo(50);
        assertThat(options.duration()).hasSeconds(5);
        assertThat(BenchCommand.parse(new String[]{"all"}).benchmarks())
                .containsExactlyInAnyOrder(BenchCommand.Benchmark.values());
        var retrieval = BenchCommand.parse(new String[]{"retrieval", "--filters", "--chunks", "1000"});
        assertThat(retrieval.benchmarks()).containsExactly(BenchCommand.Benchmark.RETRIEVAL);
        assertThat(retrieval.filters()).isTrue();
        assertThat(retrieval.chunks()).isEqualTo(1000);
        assertThat(BenchCommand.parse(new String[]{"retrieval"}).filters()).isFalse();
        assertThat(BenchCommand.parse(new String[]{"retrieval"}).set()).isEmpty();
        assertThat(BenchCommand.parse(new String[]{"retrieval", "--set", "python"}).set()).contains("python");
        assertThat(BenchCommand.parse(new String[]{"retrieval"}).model()).isEqualTo("all-minilm-l6-v2");
        assertThat(BenchCommand.parse(new String[]{"retrieval", "--model", "bge-small-en-v1.5-q"}).model())
                .isEqualTo("bge-small-en-v1.5-q");
    }
}
