package io.dynrag.app.e2e;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.api.document.DocumentObjects;
import io.dynrag.api.document.OrphanObjectSweeper;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.S3Clients;
import io.dynrag.platform.persistence.Migrations;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Objects an upload stored but never recorded (its instance died before the command) are swept away. */
@Tag("e2e")
class OrphanObjectsTest {

    private TestSystem system;

    @BeforeEach
    void useSystem() {
        system = TestSystem.shared();
    }

    @Test
    void objectsNoEventNamesAreDeletedAndRecordedOnesKept() throws Exception {
        String[] customer = system.registerCustomerWithId("Orphan Objects");
        String tenant = "tenants/" + customer[0] + "/";
        system.uploadDocument(customer[1], "kept.txt", "A document whose upload was recorded.\n");
        List<String> recorded = system.objectKeys(tenant);
        assertThat(recorded).hasSize(1);

        byte[] orphanBytes = "Stored, then the instance died before the command.\n".getBytes(StandardCharsets.UTF_8);
        String orphan = DocumentObjects.keyOf(customer[0], UUID.randomUUID().toString(),
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(orphanBytes)));
        String notADocument = tenant + "notes/readme.txt";
        try (S3Client s3 = S3Clients.create(system.infra().s3());
             HikariDataSource pool = DataSources.pool(system.infra().jdbcUrl(), system.infra().jdbcUser(),
                     system.infra().jdbcPassword(), Migrations.SCHEMA, 1)) {
            String bucket = system.infra().s3().bucket();
            s3.putObject(b -> b.bucket(bucket).key(orphan), RequestBody.fromBytes(orphanBytes));
            s3.putObject(b -> b.bucket(bucket).key(notADocument), RequestBody.fromBytes(orphanBytes));
            OrphanObjectSweeper sweeper = new OrphanObjectSweeper(new DocumentObjects(s3, bucket),
                    pool::getConnection, Clock.systemUTC());

            assertThat(sweeper.sweep(tenant, Duration.ofHours(1))).as("objects younger than an upload may take")
                    .isEmpty();
            Thread.sleep(1100);
            assertThat(sweeper.sweep(tenant, Duration.ofSeconds(1))).containsExactly(orphan);
        }
        assertThat(system.objectKeys(tenant)).containsExactlyInAnyOrder(recorded.getFirst(), notADocument);
    }
}
