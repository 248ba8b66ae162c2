package io.dynrag.vectorstore;

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
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.vectorstore");

    /** One package per concern under the store: LanceChunkStore and ChunkSearcher call them, never the reverse. */
    @ArchTest
    static final ArchRule concernsBelowTheStore = noClasses()
            .that().resideInAPackage("io.dynrag.vectorstore.*..")
            .should().dependOnClassesThat().resideInAPackage("io.dynrag.vectorstore")
            .as("the concern packages (dataset, write, read, search, keyword, hybrid, index, history, memory) never use the store's root package");
}
