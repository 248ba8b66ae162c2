package io.dynrag.app.e2e;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

/**
 * The consumer in {@code example.downstream} stands for a service that has none of our jars: it may use Java,
 * kafka-clients and Avro, and reads the schemas from the published {@code .avsc} files. Were it to use one of
 * our classes, {@code DownstreamConsumerTest} would no longer prove that such a service can read the topics.
 */
class PlainConsumerDependenciesTest {

    @Test
    void theDownstreamExampleUsesOnlyJavaKafkaClientsAndAvro() {
        JavaClasses consumer = new ClassFileImporter().importPackages("example.downstream");

        classes().should().onlyDependOnClassesThat()
                .resideInAnyPackage("example.downstream..", "java..", "org.apache.kafka.clients..",
                        "org.apache.kafka.common..", "org.apache.avro..")
                .check(consumer);
    }
}
