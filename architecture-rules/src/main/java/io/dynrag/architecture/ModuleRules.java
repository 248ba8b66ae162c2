package io.dynrag.architecture;

import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** The rules every module applies to its own packages. */
public final class ModuleRules {

    private ModuleRules() {
    }

    /**
     * No cycle between the packages under a module's root package: each first-level package (with its
     * sub-packages) is a slice, and no two slices may reach each other. The root package itself is where a
     * module wires its packages together (the role's service, the store's facade), so it is no slice.
     * A module of a single package has no slices yet; the rule applies once it grows one.
     */
    public static ArchRule packagesFreeOfCycles(String rootPackage) {
        return slices().matching(rootPackage + ".(*)..")
                .namingSlices(rootPackage + ".$1")
                .as("the packages of " + rootPackage)
                .should().beFreeOfCycles()
                .allowEmptyShould(true);
    }
}
