package io.dynrag.app;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.dynrag.api.CommandApi;
import io.dynrag.app.roles.RunningRoles;
import io.dynrag.architecture.MainCode;
import io.dynrag.architecture.ModuleMap;
import io.dynrag.architecture.ModuleRules;
import io.dynrag.pipeline.IngestionService;
import io.dynrag.projections.Projections;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.constructors;

/**
 * The module map over every production module and the embedded servers (all on this test class path; the dev
 * launcher's and the benchmarks' own tests add those two), and app's own packages. {@code ClassSizeTest} holds
 * the main code of every module to its length.
 */
@AnalyzeClasses(packages = "io.dynrag", importOptions = MainCode.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests moduleMap = ArchTests.in(ModuleMap.class);

    @ArchTest
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.app");

    /** One place builds, starts and stops the roles, and hands the query ports across. */
    @ArchTest
    static final ArchRule rolesWiredInOnePlace = constructors()
            .that().areDeclaredInClassesThat().belongToAnyOf(CommandApi.class, IngestionService.class, Projections.class)
            .should().onlyBeCalled().byClassesThat().belongToAnyOf(RunningRoles.class)
            .as("only RunningRoles makes the roles' services (CommandApi, IngestionService, Projections)");
}
