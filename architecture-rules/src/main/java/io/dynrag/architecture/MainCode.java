package io.dynrag.architecture;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;

import java.util.regex.Pattern;

/**
 * What an architecture test imports: main code only. ArchUnit's {@link ImportOption.DoNotIncludeTests} leaves out
 * {@code target/test-classes}, but a module's test jar ({@code app}'s and {@code stream-processors}' are shared) is
 * a jar like any other once the reactor has packaged it, so it is left out here by its name.
 */
public final class MainCode implements ImportOption {

    private static final ImportOption NOT_TEST_CLASSES = new DoNotIncludeTests();
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

    @Override
    public boolean includes(Location location) {
        return NOT_TEST_CLASSES.includes(location) && !location.matches(TEST_JAR);
    }
}
