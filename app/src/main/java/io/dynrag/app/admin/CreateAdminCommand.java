package io.dynrag.app.admin;

import com.zaxxer.hikari.HikariDataSource;
import io.dynrag.app.config.InvalidSettingException;
import io.dynrag.app.config.Settings;
import io.dynrag.app.infra.DataSources;
import io.dynrag.app.infra.LocalServers;
import io.dynrag.identity.auth.AdminAccounts;
import io.dynrag.identity.passwords.PasswordHasher;
import io.dynrag.identity.passwords.WeakPasswordException;
import io.dynrag.identity.users.EmailAlreadyRegisteredException;
import io.dynrag.identity.users.InvalidEmailException;
import io.dynrag.identity.users.UserAccount;
import io.dynrag.identity.users.UserAccounts;
import io.dynrag.platform.persistence.Migrations;
import io.dynrag.platform.persistence.ThreadBoundTransactionManager;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * {@code dynrag admin create-admin --email <email>}: creates an operator account directly in the
 * database: the configured one ({@code DYNRAG_JDBC_URL}), or the {@code dev} data directory's
 * when none is configured (while {@code dev} is not running; dev launcher only). The password
 * comes from {@code DYNRAG_ADMIN_PASSWORD} or is asked for, never from the command line.
 */
public final class CreateAdminCommand {

    private CreateAdminCommand() {
    }

    public static void run(Settings settings, Optional<LocalServers> localServers, String email, PrintStream out) {
        if (settings.jdbcUrl().isEmpty() && localServers.isEmpty()) {
            // Answered before the password is asked for: there is no database to create the account in.
            throw LocalServers.notConfigured("DYNRAG_JDBC_URL");
        }
        run(settings, localServers, email, password(), out);
    }

    /** The same with the password already known (tests, and callers that have asked for it). */
    public static void run(Settings settings, Optional<LocalServers> localServers, String email, String password,
                           PrintStream out) {
        if (settings.jdbcUrl().isPresent()) {
            try (HikariDataSource pool = DataSources.pool(settings.jdbcUrl().get(), settings.jdbcUser(),
                    settings.jdbcPassword(), Migrations.SCHEMA, 2)) {
                out.println(create(pool, email, password));
            }
            return;
        }
        LocalServers local = localServers.orElseThrow(() -> LocalServers.notConfigured("DYNRAG_JDBC_URL"));
        LocalServers.Database postgres;
        try {
            postgres = local.startDatabase(settings.dataDir());
        } catch (RuntimeException e) {
            throw new IllegalStateException("cannot open the database in " + settings.dataDir()
                    + "; stop 'dynrag dev' first (or set DYNRAG_BOOTSTRAP_ADMIN_EMAIL and "
                    + "DYNRAG_BOOTSTRAP_ADMIN_PASSWORD before starting it)", e);
        }
        try (postgres; HikariDataSource pool = DataSources.pool(postgres.jdbcUrl(), postgres.user(),
                postgres.password(), Migrations.SCHEMA, 2)) {
            out.println(create(pool, email, password));
        }
    }

    private static String create(HikariDataSource pool, String email, String password) {
        Migrations.migrate(pool);
        AdminAccounts admins = new AdminAccounts(new UserAccounts(new ThreadBoundTransactionManager(pool)),
                new PasswordHasher());
        try {
            UserAccount admin = admins.create(email, password);
            return "Created admin " + admin.email() + " (user " + admin.userId() + "). Sign in with "
                    + "POST /v1/auth/login.";
        } catch (EmailAlreadyRegisteredException e) {
            throw new InvalidSettingException("an account with the email " + email + " already exists");
        } catch (WeakPasswordException | InvalidEmailException e) {
            throw new InvalidSettingException(e.getMessage());
        }
    }

    private static String password() {
        String fromEnvironment = System.getenv("DYNRAG_ADMIN_PASSWORD");
        if (fromEnvironment != null && !fromEnvironment.isEmpty()) {
            return fromEnvironment;
        }
        Console console = System.console();
        if (console != null) {
            char[] first = console.readPassword("Password for the new admin: ");
            char[] again = console.readPassword("Repeat it: ");
            if (first == null || again == null || !new String(first).equals(new String(again))) {
                throw new InvalidSettingException("the passwords do not match");
            }
            return new String(first);
        }
        try {
            String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            if (line == null || line.isEmpty()) {
                throw new InvalidSettingException("give the password in DYNRAG_ADMIN_PASSWORD or on standard input");
            }
            return line;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the password", e);
        }
    }
}
