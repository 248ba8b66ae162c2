package io.dynrag.app.compose;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.roles.Role;
import io.dynrag.app.roles.RoleRequirements;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * There is no container engine in the build, so docker-compose.yml is checked the way each role
 * would check it at start: every service running roles gets, from the image and its environment,
 * settings those roles accept. A pipeline without the key-encryption keys (a restart loop once)
 * fails here.
 */
class ComposeFileTest {

    private static final Path COMPOSE_FILE = Path.of("../docker-compose.yml");
    private static final Path DOCKERFILE = Path.of("../Dockerfile");
    /** What the file's header tells the operator to export. */
    private static final Map<String, String> OPERATOR = Map.of(
            "DYNRAG_ADMIN_TOKEN", "0123456789abcdef0123456789abcdef",
            "DYNRAG_KEY_ENCRYPTION_KEYS", "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
    private static final Set<String> SERVERS = Set.of("kafka", "postgres", "minio");

    @Test
    void everyRoleServiceHasTheSettingsItsRolesCheckAtStart() throws IOException {
        ComposeFile compose = ComposeFile.parse(Files.readString(COMPOSE_FILE), OPERATOR::get);
        Map<String, String> image = imageEnvironment(Files.readString(DOCKERFILE));
        Set<Role> run = EnumSet.noneOf(Role.class);
        for (String service : roleServices(compose)) {
            Set<Role> roles = roles(compose.command(service));
            run.addAll(roles);
            Map<String, String> environment = new HashMap<>(image);
            environment.putAll(compose.environment(service));
            Settings settings = Settings.from(environment);
            RoleRequirements.checkForExternalServers(roles, settings);
        }
        assertThat(run).as("roles run by the compose file").containsExactlyInAnyOrder(Role.values());
    }

    @Test
    void theServersAndEveryRoleHaveAHealthCheck() throws IOException {
        ComposeFile compose = ComposeFile.parse(Files.readString(COMPOSE_FILE), OPERATOR::get);
        for (String service : compose.services().keySet()) {
            assertThat(compose.service(service)).as(service).containsKey("healthcheck");
        }
        assertThat(compose.services().keySet()).containsAll(SERVERS);
        for (String service : roleServices(compose)) {
            String port = compose.environment(service).get("DYNRAG_MANAGEMENT_PORT");
            assertThat(compose.service(service).get("healthcheck").toString()).as(service)
                    .contains("/dev/tcp/127.0.0.1/" + port + " ", "GET /health/ready");
        }
    }

    @Test
    void theRolesShareOneImageAndNoVolume() throws IOException {
        ComposeFile compose = ComposeFile.parse(Files.readString(COMPOSE_FILE), OPERATOR::get);
        List<String> roleServices = roleServices(compose);
        assertThat(roleServices.stream().map(service -> compose.service(service).get("image")).distinct())
                .as("image of every role service").hasSize(1).doesNotContainNull();
        for (String service : roleServices) {
            // A role keeps nothing another process needs: Lance lives in the object store.
            assertThat(compose.service(service)).as(service + " volumes").doesNotContainKey("volumes");
            assertThat(compose.environment(service).get("DYNRAG_LANCE_ROOT")).as(service).startsWith("s3://");
        }
    }

    @Test
    void theImageRunsWithoutPrivileges() throws IOException {
        String dockerfile = Files.readString(DOCKERFILE);
        String finalStage = dockerfile.substring(dockerfile.lastIndexOf("\nFROM "));
        Matcher user = Pattern.compile("(?m)^USER (\\S+)").matcher(finalStage);
        assertThat(user.find()).as("a USER instruction in the image's stage").isTrue();
        assertThat(user.group(1)).doesNotStartWith("root").doesNotStartWith("0:").isNotEqualTo("0");
    }

    @Test
    void thePipelineIsLimitedToTheCoresItUses() throws IOException {
        ComposeFile compose = ComposeFile.parse(Files.readString(COMPOSE_FILE), OPERATOR::get);
        assertThat(compose.service("pipeline").get("deploy").toString()).contains("cpus");
    }

    @Test
    void aRoleServiceMissingASettingItNeedsFailsTheCheck() {
        ComposeFile compose = ComposeFile.parse("""
                services:
                  pipeline:
                    command: ["run", "pipeline"]
                    environment:
                      DYNRAG_KAFKA_BOOTSTRAP_SERVERS: kafka:9092
                      DYNRAG_JDBC_URL: jdbc:postgresql://postgres:5432/dynrag
                      DYNRAG_S3_ENDPOINT: http://minio:9000
                """, name -> null);
        Settings settings = Settings.from(compose.environment("pipeline"));
        assertThatThrownBy(() -> RoleRequirements.checkForExternalServers(roles(compose.command("pipeline")),
                settings))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("DYNRAG_KEY_ENCRYPTION_KEYS must be set for the api and pipeline roles");
    }

    @Test
    void everyMissingServerIsNamedAtOnce() {
        assertThatThrownBy(() -> RoleRequirements.checkForExternalServers(EnumSet.of(Role.PROJECTIONS),
                Settings.from(Map.of())))
                .hasMessage("DYNRAG_KAFKA_BOOTSTRAP_SERVERS must be set to run roles against external servers; "
                        + "DYNRAG_JDBC_URL must be set to run roles against external servers");
    }

    @Test
    void withoutS3EndpointOrKeysTheRolesUseAwsS3ButABadKafkaPropertiesFileIsNamed() {
        Map<String, String> external = Map.of("DYNRAG_KAFKA_BOOTSTRAP_SERVERS", "kafka:9092",
                "DYNRAG_JDBC_URL", "jdbc:postgresql://db/dynrag");
        RoleRequirements.checkForExternalServers(EnumSet.of(Role.PROJECTIONS), Settings.from(external));

        Map<String, String> broken = new HashMap<>(external);
        broken.put("DYNRAG_KAFKA_PROPERTIES_FILE", "/nonexistent/kafka.properties");
        broken.put("DYNRAG_S3_SECRET_KEY", "secret");
        assertThatThrownBy(() -> RoleRequirements.checkForExternalServers(EnumSet.of(Role.PROJECTIONS),
                Settings.from(broken)))
                .isInstanceOf(InvalidSettingException.class)
                .hasMessageContaining("only DYNRAG_S3_SECRET_KEY is set")
                .hasMessageContaining("DYNRAG_KAFKA_PROPERTIES_FILE names /nonexistent/kafka.properties");
    }

    @Test
    void variablesAreReplacedAsComposeReplacesThem() {
        Function<String, String> environment = Map.of("SET", "value", "EMPTY", "")::get;
        assertThat(ComposeFile.interpolate("a ${SET} ${UNSET} ${UNSET:-dflt} ${EMPTY:-dflt} ${EMPTY-dflt} $$HOME",
                environment)).isEqualTo("a value  dflt dflt  $HOME");
        assertThatThrownBy(() -> ComposeFile.interpolate("${UNSET:?set it}", environment))
                .hasMessage("required variable UNSET is missing a value: set it");
        assertThatThrownBy(() -> ComposeFile.interpolate("${EMPTY:?set it}", environment))
                .hasMessageContaining("EMPTY");
    }

    private static List<String> roleServices(ComposeFile compose) {
        return compose.services().keySet().stream()
                .filter(service -> compose.service(service).containsKey("command")
                        && compose.command(service).getFirst().equals("run"))
                .toList();
    }

    private static Set<Role> roles(List<String> command) {
        Set<Role> roles = EnumSet.noneOf(Role.class);
        command.subList(1, command.size()).forEach(name -> roles.add(Role.valueOf(name.toUpperCase(Locale.ROOT))));
        return roles;
    }

    /** The image's {@code ENV} instructions in the final stage, continuation lines joined. */
    static Map<String, String> imageEnvironment(String dockerfile) {
        String joined = dockerfile.replaceAll("\\\\\\R\\s*", " ");
        String finalStage = joined.substring(joined.lastIndexOf("\nFROM "));
        Map<String, String> environment = new LinkedHashMap<>();
        Matcher instruction = Pattern.compile("(?m)^ENV (.+)$").matcher(finalStage);
        while (instruction.find()) {
            Matcher pair = Pattern.compile("([A-Za-z_][A-Za-z0-9_]*)=(\\S+)").matcher(instruction.group(1));
            while (pair.find()) {
                environment.put(pair.group(1), pair.group(2));
            }
        }
        return environment;
    }
}
