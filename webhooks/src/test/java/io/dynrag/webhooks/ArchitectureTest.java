package io.dynrag.webhooks;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.dynrag.architecture.MainCode;
import io.dynrag.architecture.ModuleMap;
import io.dynrag.architecture.ModuleRules;

@AnalyzeClasses(packages = "io.dynrag", importOptions = MainCode.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests moduleMap = ArchTests.in(ModuleMap.class);

    @ArchTest
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.webhooks");
}
