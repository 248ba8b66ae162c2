package io.dynrag.pipeline;

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
    static final ArchRule packagesFreeOfCycles = ModuleRules.packagesFreeOfCycles("io.dynrag.pipeline");

    /** The API reaches the pipeline's query embedding only through vector-store's port, wired by app. */
    @ArchTest
    static final ArchRule neverTheApi = noClasses()
            .that().resideInAPackage("io.dynrag.pipeline..")
            .should().dependOnClassesThat().resideInAPackage("io.dynrag.api..")
            .as("the pipeline never uses the API");

    /**
     * Extraction, chunking, embedding and the deadline work on one document's text, on a worker thread and in the
     * benchmarks: the topology ({@code ingestion}) and the role around it are what know Kafka and the object store.
     */
    @ArchTest
    static final ArchRule textStagesKnowNoKafkaOrObjectStore = noClasses()
            .that().resideInAnyPackage("io.dynrag.pipeline.extraction..", "io.dynrag.pipeline.chunking..",
                    "io.dynrag.pipeline.embedding..", "io.dynrag.pipeline.deadline..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "software.amazon.awssdk..")
            .as("extraction, chunking, embedding and the deadline use neither Kafka nor S3");
}
