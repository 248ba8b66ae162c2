package io.dynrag.domain;

import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import com.tngtech.archunit.lang.ArchRule;
import io.dynrag.architecture.MainCode;
import io.dynrag.architecture.ModuleMap;
import io.dynrag.architecture.ModuleRules;
import org.axonframework.modelling.command.AggregateIdentifier;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.containAnyFieldsThat;
import static com.tngtech.archunit.core.domain.properties.CanBeAnnotated.Predicates.annotatedWith;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

@AnalyzeClasses(packages = "io.dynrag", importOptions = MainCode.class)
class ArchitectureTest {

    @ArchTest
    static final ArchTests moduleMap = ArchTests.in(ModuleMap.class);

    @ArchTest
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.domain");

    /** The domain is plain Java and Axon's aggregate model: no storage, serialisation, HTTP or Kafka. */
    @ArchTest
    static final ArchRule onlyJavaAndAxonsAggregateModel = classes()
            .that().resideInAPackage("io.dynrag.domain..")
            .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "io.dynrag.domain..",
                    "org.axonframework.modelling..", "org.axonframework.eventsourcing..",
                    "org.axonframework.commandhandling..")
            .as("core-domain uses only java.. and Axon's modelling, event-sourcing and command-handling packages");

    /** Of Axon's event-sourcing package, the domain needs the handler annotation, not the event store. */
    @ArchTest
    static final ArchRule noEventStore = noClasses()
            .that().resideInAPackage("io.dynrag.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("org.axonframework.eventsourcing.eventstore..")
            .as("core-domain does not touch the event store");

    @ArchTest
    static final ArchRule noInputOutput = noClasses()
            .that().resideInAPackage("io.dynrag.domain..")
            .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..",
                    "java.sql..", "javax.sql..")
            .as("core-domain does no I/O: no files, network or database");

    /**
     * Only Axon makes and loads aggregates, from the classes their packages register
     * ({@code CustomerAggregate.TYPE}, {@code DocumentAggregate.TYPE}): no other code can hold one.
     */
    @ArchTest
    static final ArchRule aggregatesArePackagePrivate = classes()
            .that(containAnyFieldsThat(annotatedWith(AggregateIdentifier.class)))
            .should().bePackagePrivate()
            .as("aggregates are package-private");
}
