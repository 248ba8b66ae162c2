package io.dynrag.architecture;

import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The README's module map, checked: which module may use which, by root package. Every module's
 * {@code ArchitectureTest} includes these rules ({@code ArchTests.in(ModuleMap.class)}) over the classes on its test
 * class path: its own and its dependencies'. {@code app}'s test sees every production module and the embedded
 * servers, {@code benchmarks}' sees every module, so between them the whole map is checked on every build.
 */
public final class ModuleMap {

    static final String CORE_DOMAIN = "core-domain";
    static final String SCHEMAS = "schemas";
    static final String VECTOR_STORE = "vector-store";
    /** command-api, and every module split from it, as long as it keeps the root package {@code io.dynrag.api}. */
    static final String API = "api";
    static final String PIPELINE = "stream-processors";
    static final String PROJECTIONS = "projections";
    static final String APP = "app";
    static final String EMBEDDED_SERVERS = "embedded-servers";
    static final String DEV = "dev";
    static final String BENCHMARKS = "benchmarks";
    static final String ARCHITECTURE_RULES = "architecture-rules";

    /**
     * Each module uses only the modules drawn below it. A class under {@code io.dynrag} in a package that is on no
     * line here fails the rule: a new module's root package must be placed on the map.
     */
    @ArchTest
    public static final ArchRule MODULES_USE_ONLY_WHAT_THE_MAP_ALLOWS = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            // A module's test sees only the modules it depends on; the others are absent, not wrong.
            .withOptionalLayers(true)
            .ensureAllClassesAreContainedInArchitecture()
            .layer(CORE_DOMAIN).definedBy("io.dynrag.domain..")
            .layer(SCHEMAS).definedBy("io.dynrag.schemas..")
            .layer(VECTOR_STORE).definedBy("io.dynrag.vectorstore..")
            .layer(API).definedBy("io.dynrag.api..")
            .layer(PIPELINE).definedBy("io.dynrag.pipeline..")
            .layer(PROJECTIONS).definedBy("io.dynrag.projections..")
            .layer(APP).definedBy("io.dynrag.app..")
            .layer(EMBEDDED_SERVERS).definedBy("io.dynrag.embedded..")
            .layer(DEV).definedBy("io.dynrag.dev..")
            .layer(BENCHMARKS).definedBy("io.dynrag.bench..")
            .layer(ARCHITECTURE_RULES).definedBy("io.dynrag.architecture..")
            .whereLayer(CORE_DOMAIN).mayNotAccessAnyLayer()
            // Only the statistics mapping, and core-domain is optional for schemas' users.
            .whereLayer(SCHEMAS).mayOnlyAccessLayers(CORE_DOMAIN)
            .whereLayer(VECTOR_STORE).mayOnlyAccessLayers(CORE_DOMAIN)
            // The API and the pipeline never use each other; app hands the query ports across.
            .whereLayer(API).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS)
            .whereLayer(PIPELINE).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE)
            .whereLayer(PROJECTIONS).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS)
            // Only app knows every production module; it knows none of the dev-only ones.
            .whereLayer(APP).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API, PIPELINE, PROJECTIONS)
            .whereLayer(EMBEDDED_SERVERS).mayNotAccessAnyLayer()
            .whereLayer(DEV).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API, PIPELINE, PROJECTIONS,
                    APP, EMBEDDED_SERVERS)
            .whereLayer(BENCHMARKS).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API, PIPELINE,
                    PROJECTIONS, APP, EMBEDDED_SERVERS, DEV)
            // Test support: on test class paths only.
            .whereLayer(ARCHITECTURE_RULES).mayNotAccessAnyLayer()
            .as("the modules use only what the module map allows");

    /** Javalin and the servlet container under it are the HTTP adapters' business. */
    @ArchTest
    public static final ArchRule ONLY_THE_API_SERVES_HTTP = noClasses()
            .that().resideInAPackage("io.dynrag..")
            .and().resideOutsideOfPackage("io.dynrag.api..")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
            .as("only the API's HTTP adapters (io.dynrag.api..) use Javalin, Jetty or servlets");

    /**
     * The event store is the command side's: the pipeline and the projections work from the Kafka topics, and
     * a consumer of schemas' jar gets no Axon.
     */
    @ArchTest
    public static final ArchRule ONLY_THE_COMMAND_SIDE_USES_AXON = noClasses()
            .that().resideInAnyPackage("io.dynrag.schemas..", "io.dynrag.vectorstore..", "io.dynrag.pipeline..",
                    "io.dynrag.projections..", "io.dynrag.embedded..")
            .should().dependOnClassesThat().resideInAPackage("org.axonframework..")
            .as("only core-domain, the API and the launchers use Axon; the pipeline and the projections work from the topics")
            // A module's test may see none of these modules (core-domain's sees only itself).
            .allowEmptyShould(true);

    private ModuleMap() {
    }
}
