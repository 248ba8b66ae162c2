package io.dynrag.schemas;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.dynrag.architecture.MainCode;
import io.dynrag.architecture.ModuleMap;
import io.dynrag.architecture.ModuleRules;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

@AnalyzeClasses(packages = "io.dynrag", importOptions = MainCode.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests moduleMap = ArchTests.in(ModuleMap.class);

    @ArchTest
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.schemas");

    /**
     * core-domain is an optional dependency: a topic consumer has schemas' jar without it, so only the statistics
     * mapping may use it, and nothing else here may use the mapping.
     */
    @ArchTest
    static final ArchRule onlyTheMappingUsesCoreDomain = noClasses()
            .that().resideInAPackage("io.dynrag.schemas..")
            .and().resideOutsideOfPackage("io.dynrag.schemas.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("io.dynrag.domain..", "io.dynrag.schemas.domain..")
            .as("only io.dynrag.schemas.domain (the statistics mapping) uses core-domain, optional for schemas' users");
}
