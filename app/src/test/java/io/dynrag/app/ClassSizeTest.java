package io.dynrag.app;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * No class of any module's main code is over 400 lines unless its class comment says why, with a sentence that
 * starts "Over 400 lines because": a class that long usually holds more than one concern. Lines are those of the
 * source file (one top-level class each, nested classes included), read from every module the root POM lists,
 * sub-modules too; generated sources are not under {@code src/main/java} and do not count.
 */
class ClassSizeTest {

    static final int MOST_LINES = 400;
    static final String REASON = "Over 400 lines because";

    private static final Pattern MODULE = Pattern.compile("<module>\\s*([^<\\s]+)\\s*</module>");
    private static final Pattern TOP_LEVEL_TYPE = Pattern.compile(
            "^(?:(?:public|protected|private|abstract|final|sealed|non-sealed|static|strictfp)\\s+)*"
                    + "(?:class|interface|enum|record|@interface)\\s+\\w+.*");

    @Test
    void noMainClassIsOver400LinesWithoutAReason() {
        Path repository = repositoryRoot();
        List<String> tooLong = new ArrayList<>();
        List<Path> sources = mainSources(repository);
        for (Path source : sources) {
            List<String> lines = lines(source);
            if (lines.size() > MOST_LINES && !classCommentGivesReason(lines)) {
                tooLong.add(repository.relativize(source) + ": " + lines.size() + " lines");
            }
        }
        // Finding nothing to measure would pass for the wrong reason.
        assertThat(sources).as("main sources of every module").hasSizeGreaterThan(100)
                .anyMatch(source -> source.endsWith(Path.of("io", "dynrag", "app", "Main.java")))
                .anyMatch(source -> source.endsWith(Path.of("io", "dynrag", "domain", "DomainRuleViolation.java")));
        assertThat(tooLong)
                .as("main classes over " + MOST_LINES + " lines: split them by concern, or say in the class comment"
                        + " why not (\"" + REASON + " …\")")
                .isEmpty();
    }

    @Test
    void aLongClassPassesOnlyWithTheReasonInItsClassComment() {
        List<String> body = Collections.nCopies(MOST_LINES, "    // a line");
        List<String> withoutComment = classSource(List.of(), body);
        List<String> withReason = classSource(List.of("/**", " * Parses things.", " *",
                " * <p>" + REASON + " the grammar is one table that reads best in one place.", " */"), body);
        List<String> withReasonElsewhere = new ArrayList<>(classSource(List.of("/** Parses things. */"), body));
        withReasonElsewhere.add(withReasonElsewhere.size() - 1, "    /** " + REASON + " nothing: not the class comment. */");

        assertThat(classCommentGivesReason(withoutComment)).isFalse();
        assertThat(classCommentGivesReason(withReason)).isTrue();
        assertThat(classCommentGivesReason(withReasonElsewhere)).isFalse();
    }

    /**
     * True when the comment right above the top-level type's declaration (annotations between them allowed)
     * carries {@link #REASON}.
     */
    static boolean classCommentGivesReason(List<String> lines) {
        int declaration = IntStream.range(0, lines.size())
                .filter(i -> TOP_LEVEL_TYPE.matcher(lines.get(i)).matches())
                .findFirst().orElse(-1);
        if (declaration < 0) {
            return false;
        }
        String head = String.join("\n", lines.subList(0, declaration));
        int commentStart = head.lastIndexOf("/*");
        int commentEnd = head.lastIndexOf("*/");
        if (commentStart < 0 || commentEnd < commentStart) {
            return false;
        }
        String between = head.substring(commentEnd + 2).strip();
        boolean onlyAnnotationsBetween = between.isEmpty() || between.startsWith("@");
        return onlyAnnotationsBetween && head.substring(commentStart, commentEnd).contains(REASON);
    }

    private static List<String> classSource(List<String> comment, List<String> body) {
        List<String> lines = new ArrayList<>(List.of("package io.dynrag.example;", "", "import java.util.List;", ""));
        lines.addAll(comment);
        lines.add("public final class Example {");
        lines.addAll(body);
        lines.add("}");
        return lines;
    }

    /** The directory with the root POM and the Maven wrapper: the tests run in a module's directory or in it. */
    private static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("pom.xml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no directory above " + Path.of("").toAbsolutePath() + " holds pom.xml and mvnw");
    }

    /** The {@code src/main/java} files of every module the POM in {@code dir} lists, and of their modules. */
    private static List<Path> mainSources(Path dir) {
        List<Path> sources = new ArrayList<>();
        Matcher modules = MODULE.matcher(String.join("\n", lines(dir.resolve("pom.xml"))));
        while (modules.find()) {
            Path module = dir.resolve(modules.group(1)).normalize();
            Path main = module.resolve("src/main/java");
            if (Files.isDirectory(main)) {
                try (Stream<Path> files = Files.walk(main)) {
                    files.filter(file -> file.toString().endsWith(".java")).sorted().forEach(sources::add);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
            if (Files.isRegularFile(module.resolve("pom.xml"))) {
                sources.addAll(mainSources(module));
            }
        }
        return sources;
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
