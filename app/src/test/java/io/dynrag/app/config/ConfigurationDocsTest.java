package io.dynrag.app.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** docs/configuration.md has a row for every variable {@link Settings} reads, and no row for one it does not. */
class ConfigurationDocsTest {

    private static final Path SETTINGS = Path.of("src/main/java/io/dynrag/app/config/Settings.java");
    private static final Path TABLE = Path.of("../docs/configuration.md");

    @Test
    void everySettingHasARowAndEveryRowASetting() throws IOException {
        Set<String> read = names(Pattern.compile("read\\.\\w+\\(\"(DYNRAG_[A-Z0-9_]+)\""), Files.readString(SETTINGS));
        Set<String> documented = new TreeSet<>();
        // A row's first cell names one variable or several ("`A` / `B`").
        Files.readString(TABLE).lines().filter(line -> line.startsWith("| `DYNRAG_"))
                .forEach(row -> documented.addAll(names(Pattern.compile("`(DYNRAG_[A-Z0-9_]+)`"),
                        row.substring(0, row.indexOf(" | ", 2)))));
        assertThat(read).as("variables Settings reads").isNotEmpty();
        assertThat(documented).as("rows of docs/configuration.md").containsAll(read);
        // Rows for variables other commands read (admin, dev) are fine; a row for a setting that was removed is not.
        Set<String> unknown = new TreeSet<>(documented);
        unknown.removeAll(read);
        for (String name : unknown) {
            assertThat(sourcesMention(name)).as(name + " is documented but read nowhere").isTrue();
        }
    }

    private static Set<String> names(Pattern pattern, String text) {
        Set<String> names = new TreeSet<>();
        Matcher matcher = pattern.matcher(text);
        while (matcher.find()) {
            names.add(matcher.group(1));
        }
        return names;
    }

    private static boolean sourcesMention(String name) throws IOException {
        if (Files.readString(Path.of("../dynrag")).contains(name)) {
            return true; // the launcher script's own settings
        }
        try (var files = Files.walk(Path.of(".."))) {
            return files.filter(file -> file.toString().endsWith(".java") && file.toString().contains("/src/main/"))
                    .anyMatch(file -> {
                        try {
                            return Files.readString(file).contains("\"" + name + "\"");
                        } catch (IOException e) {
                            return false;
                        }
                    });
        }
    }
}
