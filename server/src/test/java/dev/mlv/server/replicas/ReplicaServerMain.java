package dev.mlv.server.replicas;

import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;

import java.nio.file.Path;

/**
 * A server replica in its own JVM, for tests that cap its heap: {@code ReplicaServerMain HOME BACKEND_URI ARTIFACTS}.
 * Prints {@code LISTENING <url>} once ready and stops when its standard input closes.
 */
public final class ReplicaServerMain {
    private ReplicaServerMain() {
    }

    public static void main(String[] args) throws Exception {
        MlvServer server = MlvServer.start(new ServerConfig("127.0.0.1", 0, Path.of(args[0]), args[1], args[2]));
        System.out.println("LISTENING " + server.url());
        System.out.flush();
        while (System.in.read() >= 0) {
            // wait for the parent to close our stdin
        }
        server.close();
    }
}
