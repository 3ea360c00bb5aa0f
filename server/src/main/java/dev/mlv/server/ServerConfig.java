package dev.mlv.server;

import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Permission;
import dev.mlv.server.security.BrowserSecurity;
import dev.mlv.server.webhooks.WebhookSettings;

import java.nio.file.Path;

/**
 * What {@code mlv server} is started with. {@code backendStoreUri} defaults to {@code sqlite:///<home>/mlv.db} and
 * {@code artifactsDestination} to {@code <home>/artifacts}. With {@code usersInDatabase} ({@code mlv server --auth}) every
 * request must authenticate as a user of the metadata database, with an {@code authFile} as a user of that file (both
 * written by {@code mlv users add}); users may do what their permissions allow ({@code defaultPermission} where they
 * have no grant). {@code browser} says what web pages may do with the server ({@link BrowserSecurity});
 * {@code staticPrefix} (normalized, null for none) is the path everything is served under.
 */
public record ServerConfig(String host, int port, Path home, String backendStoreUri, String artifactsDestination,
                           Path authFile, WebhookSettings webhooks, Permission defaultPermission, boolean usersInDatabase,
                           BrowserSecurity browser, String staticPrefix) {
    public static final int DEFAULT_PORT = 5000;

    public ServerConfig {
        staticPrefix = StaticPrefixHandler.normalize(staticPrefix);
        if (authFile != null && usersInDatabase) {
            throw MlvException.invalid("Users are either in the database (--auth) or in a users file "
                    + "(--auth-file), not both: choose one");
        }
    }

    /** With webhook settings from the environment ({@link WebhookSettings#fromEnvironment}). */
    public ServerConfig(String host, int port, Path home, String backendStoreUri, String artifactsDestination, Path authFile) {
        this(host, port, home, backendStoreUri, artifactsDestination, authFile, null, null, false, null, null);
    }

    /** Without authentication (every request is served; the user is whatever a request claims). */
    public ServerConfig(String host, int port, Path home, String backendStoreUri, String artifactsDestination) {
        this(host, port, home, backendStoreUri, artifactsDestination, null);
    }

    /** Defaults for a home folder: loopback, port 5000, SQLite and local artifacts inside the home. */
    public static ServerConfig forHome(Path home) {
        return new ServerConfig("127.0.0.1", DEFAULT_PORT, home, null, null);
    }

    public String effectiveBackendStoreUri() {
        return backendStoreUri != null ? backendStoreUri : "sqlite:///" + home.toAbsolutePath().resolve("mlv.db");
    }

    public String effectiveArtifactsDestination() {
        return artifactsDestination != null ? artifactsDestination : home.toAbsolutePath().resolve("artifacts").toString();
    }

    /** The browser protections: as configured, else from {@code MLV_SERVER_…} / {@code MLFLOW_SERVER_…} variables. */
    public BrowserSecurity effectiveBrowserSecurity() {
        return browser != null ? browser : BrowserSecurity.fromEnvironment(System::getenv);
    }

    public ServerConfig withBrowserSecurity(BrowserSecurity security) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, webhooks, defaultPermission, usersInDatabase, security, staticPrefix);
    }

    /** Serves everything under {@code prefix} (MLflow's {@code --static-prefix}, e.g. {@code /mlflow}); null: at the root. */
    public ServerConfig withStaticPrefix(String prefix) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, webhooks, defaultPermission, usersInDatabase, browser, prefix);
    }

    public WebhookSettings effectiveWebhooks() {
        return webhooks != null ? webhooks : WebhookSettings.fromEnvironment(System::getenv);
    }

    /**
     * What users without a grant may do with an experiment or registered model: the configured permission, else
     * {@code MLV_AUTH_DEFAULT_PERMISSION}, else {@code READ} (MLflow's default).
     */
    public Permission effectiveDefaultPermission() {
        if (defaultPermission != null) return defaultPermission;
        String env = System.getenv("MLV_AUTH_DEFAULT_PERMISSION");
        return env == null || env.isBlank() ? Permission.READ : Permission.parse(env);
    }

    public ServerConfig withPort(int newPort) {
        return new ServerConfig(host, newPort, home, backendStoreUri, artifactsDestination, authFile, webhooks, defaultPermission, usersInDatabase, browser, staticPrefix);
    }

    public ServerConfig withAuthFile(Path file) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, file, webhooks, defaultPermission, usersInDatabase, browser, staticPrefix);
    }

    /** Users of the metadata database ({@code mlv server --auth}). */
    public ServerConfig withUsersInDatabase() {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, webhooks, defaultPermission, true, browser, staticPrefix);
    }

    /** Whether every request must authenticate. */
    public boolean authenticates() {
        return authFile != null || usersInDatabase;
    }

    public ServerConfig withWebhooks(WebhookSettings settings) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, settings, defaultPermission, usersInDatabase, browser, staticPrefix);
    }

    public ServerConfig withDefaultPermission(Permission permission) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, webhooks, permission, usersInDatabase, browser, staticPrefix);
    }

    /** {@code $MLV_HOME}, else {@code ~/.mlv}. */
    public static Path defaultHome() {
        String env = System.getenv("MLV_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".mlv");
    }
}
