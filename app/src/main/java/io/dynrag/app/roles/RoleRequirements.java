package io.dynrag.app.roles;

import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.ExternalKafka;
import io.dynrag.app.infra.S3Settings;
import io.dynrag.platform.crypto.KeyEncryptionKeys;
import io.dynrag.platform.outbound.AddressAllowlist;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * What each role needs from the settings, checked before anything starts: a missing or malformed
 * setting stops the process at once with one message naming every variable to fix, instead of a
 * role failing halfway through its start (which an orchestrator turns into a restart loop). The
 * compose file is held to the same check by a test, role by role.
 */
public final class RoleRequirements {

    private RoleRequirements() {
    }

    /** Refuses settings with which {@code roles} cannot run against external servers ({@code dynrag run}). */
    public static void checkForExternalServers(Set<Role> roles, Settings settings) {
        List<String> problems = new ArrayList<>();
        requirePresent(settings.kafkaBootstrapServers().isPresent(), "DYNRAG_KAFKA_BOOTSTRAP_SERVERS", problems);
        requirePresent(settings.jdbcUrl().isPresent(), "DYNRAG_JDBC_URL", problems);
        // Without DYNRAG_S3_ENDPOINT the roles use AWS S3, and without a key the AWS default credentials.
        collect(() -> S3Settings.external(settings), problems::add);
        settings.kafkaBootstrapServers().ifPresent(servers ->
                collect(() -> ExternalKafka.connection(settings, servers), problems::add));
        problems.addAll(problems(roles, settings));
        refuseAny(problems);
    }

    /** Refuses settings with which {@code roles} cannot start, whatever servers they run against. */
    public static void check(Set<Role> roles, Settings settings) {
        refuseAny(problems(roles, settings));
    }

    /** The problems with {@code settings} for {@code roles}, whatever servers they run against. */
    private static List<String> problems(Set<Role> roles, Settings settings) {
        List<String> problems = new ArrayList<>();
        if (roles.contains(Role.API) || roles.contains(Role.PIPELINE)) {
            // Both open customers' sealed provider keys and check the addresses they call.
            collect(() -> keyEncryptionKeys(settings), problems::add);
            collect(() -> urlAllowlist(settings), problems::add);
        }
        return problems;
    }

    /** The keys that open sealed secrets; the API and the pipeline cannot run without them. */
    public static KeyEncryptionKeys keyEncryptionKeys(Settings settings) {
        String keySetting = settings.keyEncryptionKeys().orElseThrow(() ->
                new InvalidSettingException("DYNRAG_KEY_ENCRYPTION_KEYS must be set for the api and pipeline roles: "
                        + "<id>:<base64 of 32 random bytes>, e.g. k1:$(openssl rand -base64 32)"));
        try {
            return KeyEncryptionKeys.parse(keySetting);
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("DYNRAG_KEY_ENCRYPTION_KEYS: " + e.getMessage());
        }
    }

    /** The private addresses customers' URLs and provider base URLs may still reach. */
    public static AddressAllowlist urlAllowlist(Settings settings) {
        try {
            return AddressAllowlist.parse(settings.urlAllowlist());
        } catch (IllegalArgumentException e) {
            throw new InvalidSettingException("DYNRAG_URL_ALLOWLIST: " + e.getMessage());
        }
    }

    private static void refuseAny(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new InvalidSettingException(String.join("; ", problems));
        }
    }

    private static void requirePresent(boolean present, String variable, List<String> problems) {
        if (!present) {
            problems.add(variable + " must be set to run roles against external servers");
        }
    }

    private static void collect(Runnable check, Consumer<String> problems) {
        try {
            check.run();
        } catch (InvalidSettingException e) {
            problems.accept(e.getMessage());
        }
    }
}
