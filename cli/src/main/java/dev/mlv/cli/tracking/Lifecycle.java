package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;

/** The shape of the one-call lifecycle commands (rename, delete, restore): POST the call, print one line. */
final class Lifecycle {
    private Lifecycle() {
    }

    /** POSTs {@code body} to MLflow's {@code method}, then prints {@code done} (under {@code --json}, the body sent). */
    static int call(ClientOptions client, String method, ObjectNode body, String done) {
        client.rest().post("/api/2.0/mlflow/" + method, body);
        client.print(body, done);
        return 0;
    }
}
