package dev.mlv.cli.models;

import dev.mlv.cli.ClientOptions;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Option;

/**
 * {@code --user NAME}: who makes a registry change, recorded in the history and the audit log. Defaults to
 * {@code $MLV_USER}, else the OS user. Sent to the server as header {@value RestClient#USER_HEADER}.
 */
public final class UserOption {
    @Option(names = "--user", paramLabel = "NAME",
            description = "Acting user recorded in the history and audit log (default: $MLV_USER, else the OS user).")
    String user;

    /** The flag, else {@code MLV_USER}, else the OS user name. */
    public String user() {
        return user != null && !user.isBlank() ? user.trim() : defaultUser();
    }

    /** {@code MLV_USER}, else the OS user name: who a command acts as when no {@code --user} is given. */
    public static String defaultUser() {
        return MlvClient.user();
    }

    /** The command's HTTP client, sending the acting user with every request. */
    public RestClient rest(ClientOptions client) {
        return client.rest().withUser(user());
    }
}
