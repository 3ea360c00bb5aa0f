package dev.mlv.server;

import dev.mlv.permissions.Permission;
import dev.mlv.server.webhooks.WebhookSettings;

import java.nio.file.Path;

/**
 * What {@code mlv server} is started with. {@code backendStoreUri} defaults to {@code sqlite:///<home>/mlv.db} and
 * {@code artifactsDestination} to {@code <home>/artifacts}; with an {@code authFile} (written by {@code mlv users add})
 * every request must authenticate as one of its users, who may do what their permissions allow
 * ({@code defaultPermission} where they have no grant).
 */
public record ServerConfig(String host, int port, Path home, String backendStoreUri, String artifactsDestination,
                           Path authFile, WebhookSettings webhooks, Permission defaultPermission) {
    public static final int DEFAULT_PORT = 5000;

    /** With webhook settings from the environment ({@link WebhookSettings#fromEnvironment}). */
    public ServerConfig(String host, int port, Path home, String backendStoreUri, String artifactsDestination, Path authFile) {
        this(host, port, home, backendStoreUri, artifactsDestination, authFile, null, null);
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
        return new ServerConfig(host, newPort, home, backendStoreUri, artifactsDestination, authFile, webhooks, defaultPermission);
    }

    public ServerConfig withAuthFile(Path file) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, file, webhooks, defaultPermission);
    }

    public ServerConfig withWebhooks(WebhookSettings settings) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, settings, defaultPermission);
    }

    public ServerConfig withDefaultPermission(Permission permission) {
        return new ServerConfig(host, port, home, backendStoreUri, artifactsDestination, authFile, webhooks, permission);
    }

    /** {@code $MLV_HOME}, else {@code ~/.mlv}. */
    public static Path defaultHome() {
        String env = System.getenv("MLV_HOME");
        return env != null && !env.isBlank() ? Path.of(env) : Path.of(System.getProperty("user.home"), ".mlv");
    }
}
