package io.dynrag.projections;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.dynrag.architecture.MainCode;
import io.dynrag.architecture.ModuleMap;
import io.dynrag.architecture.ModuleRules;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

@AnalyzeClasses(packages = "io.dynrag", importOptions = MainCode.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests moduleMap = ArchTests.in(ModuleMap.class);

    @ArchTest
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.projections");

    /**
     * Each read model is rebuilt from the topics on its own, so none reads another's tables or classes; what they
     * share (the runner, {@code Projection}, {@code DeletedCustomers}, {@code Sql}) is in the root package.
     */
    @ArchTest
    static final ArchRule readModelsStandAlone = slices().matching("io.dynrag.projections.(*)..")
            .namingSlices("io.dynrag.projections.$1")
            .as("the read models and the replay of io.dynrag.projections")
            .should().notDependOnEachOther();
}
