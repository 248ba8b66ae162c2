package io.dynrag.architecture;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

import java.util.Set;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.lang.conditions.ArchPredicates.are;
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
    /** What every part of the API role stands on: HTTP, transactions, origins, sealing, outbound addresses. */
    static final String API_PLATFORM = "api-platform";
    static final String IDENTITY = "identity";
    static final String WEBHOOKS = "webhooks";
    /** command-api: the document command side and its HTTP. */
    static final String API = "command-api";
    static final String PIPELINE = "stream-processors";
    static final String PROJECTIONS = "projections";
    static final String APP = "app";
    static final String EMBEDDED_SERVERS = "embedded-servers";
    static final String DEV = "dev";
    static final String BENCHMARKS = "benchmarks";
    static final String ARCHITECTURE_RULES = "architecture-rules";

    /** The HTTP server's own packages, and every area's endpoints. */
    private static final DescribedPredicate<JavaClass> HTTP_ADAPTER = DescribedPredicate.describe(
            "an HTTP adapter", javaClass -> javaClass.getPackageName().startsWith("io.dynrag.platform.http")
                    || javaClass.getPackageName().startsWith("io.dynrag.platform.idempotency")
                    || javaClass.getName().replaceFirst("\\$.*", "").matches(".*Endpoints?"));

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
            .layer(API_PLATFORM).definedBy("io.dynrag.platform..")
            .layer(IDENTITY).definedBy("io.dynrag.identity..")
            .layer(WEBHOOKS).definedBy("io.dynrag.webhooks..")
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
            // The API role's modules: the platform knows no business area, identity knows no webhook or
            // document, webhooks no document; command-api (documents) uses them all.
            .whereLayer(API_PLATFORM).mayNotAccessAnyLayer()
            .whereLayer(IDENTITY).mayOnlyAccessLayers(CORE_DOMAIN, API_PLATFORM)
            .whereLayer(WEBHOOKS).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, API_PLATFORM, IDENTITY)
            // The API and the pipeline never use each other; app hands the query ports across.
            .whereLayer(API).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, API_PLATFORM, IDENTITY, WEBHOOKS)
            .whereLayer(PIPELINE).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE)
            .whereLayer(PROJECTIONS).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS)
            // Only app knows every production module; it knows none of the dev-only ones.
            .whereLayer(APP).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API_PLATFORM, IDENTITY, WEBHOOKS,
                    API, PIPELINE, PROJECTIONS)
            .whereLayer(EMBEDDED_SERVERS).mayNotAccessAnyLayer()
            .whereLayer(DEV).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API_PLATFORM, IDENTITY, WEBHOOKS,
                    API, PIPELINE, PROJECTIONS, APP, EMBEDDED_SERVERS)
            .whereLayer(BENCHMARKS).mayOnlyAccessLayers(CORE_DOMAIN, SCHEMAS, VECTOR_STORE, API_PLATFORM, IDENTITY,
                    WEBHOOKS, API, PIPELINE, PROJECTIONS, APP, EMBEDDED_SERVERS, DEV)
            // Test support: on test class paths only.
            .whereLayer(ARCHITECTURE_RULES).mayNotAccessAnyLayer()
            .as("the modules use only what the module map allows");

    /**
     * Javalin and the servlet container under it are the HTTP adapters' business: the platform's server and its
     * idempotent POSTs, each area's {@code *Endpoints}, and three classes named here because they are the request's
     * own: {@code Access} (authenticates and rate-limits each request), {@code UsageRecording} (counts each
     * answered request) and {@code ClientDisconnects} (notices an event stream's client leaving, on Jetty's socket).
     */
    @ArchTest
    public static final ArchRule ONLY_HTTP_ADAPTERS_USE_JAVALIN = noClasses()
            .that(are(not(HTTP_ADAPTER)).and(not(named("io.dynrag.identity.access.Access",
                    "io.dynrag.api.usage.UsageRecording", "io.dynrag.api.document.progress.ClientDisconnects"))))
            .and().resideInAPackage("io.dynrag..")
            .should().dependOnClassesThat().resideInAnyPackage("io.javalin..", "org.eclipse.jetty..", "jakarta.servlet..")
            .as("only the HTTP adapters (the platform's http and idempotency, *Endpoints) use Javalin, Jetty or servlets");

    /**
     * Services refuse with their own exceptions, which one table per role ({@code command-api}'s {@code Refusals})
     * maps to problem+json; an HTTP status is for the adapters, and for the request checks they call:
     * {@code Access}, {@code AuditCursor} (a page's cursor) and {@code WebhookAddressCheck} (a webhook's URL).
     */
    @ArchTest
    public static final ArchRule SERVICES_THROW_DOMAIN_EXCEPTIONS = noClasses()
            .that(are(not(HTTP_ADAPTER)).and(not(named("io.dynrag.identity.access.Access",
                    "io.dynrag.api.audit.AuditCursor", "io.dynrag.webhooks.WebhookAddressCheck",
                    "io.dynrag.api.Refusals"))))
            .and().resideInAPackage("io.dynrag..")
            .should().dependOnClassesThat().haveFullyQualifiedName("io.dynrag.platform.http.ApiProblem")
            .as("services throw their own exceptions; only HTTP adapters and the one mapping use ApiProblem")
            .allowEmptyShould(true);

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

    private static DescribedPredicate<JavaClass> named(String... fullyQualifiedNames) {
        return DescribedPredicate.describe("one of " + String.join(", ", fullyQualifiedNames),
                javaClass -> Set.of(fullyQualifiedNames).contains(javaClass.getName().replaceFirst("\\$.*", "")));
    }

    private ModuleMap() {
    }
}
