package dev.mlv.cli.tracking;

import dev.mlv.server.ServerConfig;

/** Test access to {@link ServerCommand}'s package-private helpers. */
public final class ServerCommandAccess {
    private ServerCommandAccess() {
    }

    public static ServerConfig config(ServerCommand cmd) {
        return cmd.config();
    }
}
