package io.dynrag.app;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.platform.commons.annotation.Testable;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mvn test} runs the fast tests only; the end-to-end tests (tagged {@code e2e}) and the fault
 * suites ({@code fault}) run in {@code mvn verify}. A test class that starts real servers without
 * one of those tags would slow down every quick run: this finds them by what their source uses.
 */
class TestTagsTest {

    private static final Path TEST_SOURCES = Path.of("src/test/java");
    /** What starts real servers or whole systems in this module's tests. */
    private static final Pattern REAL_SERVERS = Pattern.compile(
            "\\b(TestSystem|ProcessSystem|DevMode|EmbeddedInfra|ContainersInfra|EmbeddedS3|EmbeddedKafka)\\b");
    private static final Set<String> SLOW_TAGS = Set.of("e2e", "fault");

    @Test
    void everyTestOnRealServersIsTaggedEndToEndOrFault() {
        List<String> untagged = testClassesOnRealServers().stream()
                .filter(type -> AnnotationSupport.findRepeatableAnnotations(type, Tag.class).stream()
                        .noneMatch(tag -> SLOW_TAGS.contains(tag.value())))
                .map(Class::getName)
                .toList();

        assertThat(untagged).as("test classes that start real servers must carry @Tag(\"e2e\") (or @Tag(\"fault\") "
                + "for a fault suite), so that `mvn test` stays fast and `mvn verify` still runs them").isEmpty();
    }

    @Test
    void theEndToEndTestsAreFound() {
        assertThat(testClassesOnRealServers()).extracting(Class::getSimpleName)
                .contains("WalkingSkeletonTest", "ApiCrashTest", "PipelineCrashTest");
    }

    private static List<Class<?>> testClassesOnRealServers() {
        try (Stream<Path> files = Files.walk(TEST_SOURCES)) {
            return files.filter(file -> file.toString().endsWith(".java"))
                    .filter(TestTagsTest::usesRealServers)
                    .map(TestTagsTest::classOf)
                    .filter(type -> type != TestTagsTest.class)
                    .filter(type -> !Modifier.isAbstract(type.getModifiers()))
                    .filter(type -> !AnnotationSupport.findAnnotatedMethods(type, Testable.class,
                            HierarchyTraversalMode.TOP_DOWN).isEmpty())
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean usesRealServers(Path source) {
        try {
            return REAL_SERVERS.matcher(Files.readString(source)).find();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Class<?> classOf(Path source) {
        String relative = TEST_SOURCES.relativize(source).toString();
        String name = relative.substring(0, relative.length() - ".java".length()).replace(source.getFileSystem()
                .getSeparator(), ".");
        try {
            return Class.forName(name, false, TestTagsTest.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("no class for " + source, e);
        }
    }
}
