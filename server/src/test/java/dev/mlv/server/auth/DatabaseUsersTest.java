package dev.mlv.server.auth;

import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.registry.RegistryHttp;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.users.User;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code mlv server --auth}: users in the metadata database, so two replicas on one PostgreSQL let in the same users,
 * and a user created, changed or removed through MLflow's user routes on one replica is followed by the other within
 * about a second, without a restart; every change is in the audit chain.
 */
class DatabaseUsersTest {
    private static final int FAST = 1_000;
    @TempDir
    static Path home;
    static EmbeddedPostgres pg;
    static String db;
    static MlvServer a;
    static MlvServer b;

    @BeforeAll
    static void start() throws Exception {
        pg = EmbeddedPostgres.start();
        db = "postgresql://postgres@127.0.0.1:" + pg.getPort() + "/postgres";
        ServerConfig config = new ServerConfig("127.0.0.1", 0, home, db, home.resolve("artifacts").toString()).withUsersInDatabase();
        assertThatThrownBy(() -> MlvServer.start(config)).as("a database without users: nobody could log in")
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.getMessage())
                        .contains("no users").contains("mlv users add NAME --admin --backend-store-uri postgresql://"));
        try (MetadataStore store = MetadataStores.open(db, MlvServer.DEFAULT_ARTIFACT_ROOT)) {
            store.users().create(User.withPassword("root", "root-pw", FAST, true), "setup");
        }
        a = MlvServer.start(config);
        b = MlvServer.start(config);
    }

    @AfterAll
    static void stop() throws Exception {
        if (a != null) a.close();
        if (b != null) b.close();
        if (pg != null) pg.close();
    }

    /** Waits up to 5 s for {@code status} (the promise is about one second). */
    private static void eventually(int status, Supplier<RegistryHttp.Reply> call) throws InterruptedException {
        long end = System.nanoTime() + 5_000_000_000L;
        int last;
        do {
            last = call.get().status();
            if (last == status) return;
            Thread.sleep(50);
        } while (System.nanoTime() < end);
        assertThat(last).isEqualTo(status);
    }

    @Test
    void aUserChangedOnOneReplicaIsFollowedByTheOther() throws Exception {
        RegistryHttp rootOnA = new RegistryHttp(a, "root", "root-pw");
        RegistryHttp rootOnB = new RegistryHttp(b, "root", "root-pw");
        rootOnA.ok(rootOnA.post(MLFLOW + "users/create", obj("username", "dave", "password", "dave-pw")));
        assertThat(new RegistryHttp(a, "dave", "dave-pw").get(MLFLOW + "experiments/search", Map.of("max_results", "1")).status())
                .as("this replica follows at once").isEqualTo(200);
        eventually(200, () -> new RegistryHttp(b, "dave", "dave-pw").get(MLFLOW + "experiments/search", Map.of("max_results", "1")));

        rootOnB.ok(rootOnB.patch(MLFLOW + "users/update-password", obj("username", "dave", "password", "new-pw")));
        eventually(401, () -> new RegistryHttp(a, "dave", "dave-pw").get(MLFLOW + "experiments/search", Map.of("max_results", "1")));
        eventually(200, () -> new RegistryHttp(a, "dave", "new-pw").get(MLFLOW + "experiments/search", Map.of("max_results", "1")));

        RegistryHttp.Reply notAdmin = new RegistryHttp(a, "dave", "new-pw").post(MLFLOW + "users/create", obj("username", "eve", "password", "x"));
        assertThat(notAdmin.status()).as("only administrators create users").isEqualTo(403);
        rootOnA.ok(rootOnA.patch(MLFLOW + "users/update-admin", obj("username", "dave", "is_admin", "true")));
        eventually(200, () -> new RegistryHttp(b, "dave", "new-pw").post(MLFLOW + "users/create", obj("username", "eve", "password", "x")));
        assertThat(rootOnA.ok(rootOnA.get(MLFLOW + "users/get", Map.of("username", "eve"))).path("user").path("is_admin").asBoolean()).isFalse();

        rootOnA.ok(rootOnA.delete(MLFLOW + "users/delete", obj("username", "dave")));
        eventually(401, () -> new RegistryHttp(b, "dave", "new-pw").get(MLFLOW + "experiments/search", Map.of("max_results", "1")));
        assertThat(rootOnB.get(MLFLOW + "users/get", Map.of("username", "dave")).status()).isEqualTo(404);

        var events = rootOnB.ok(rootOnB.get(MLV + "audit/events", Map.of())).path("events");
        assertThat(events.findValuesAsText("action")).contains("user.create", "user.update", "user.delete");
        assertThat(events.toString()).doesNotContain("pbkdf2").doesNotContain("new-pw");
        assertThat(rootOnB.ok(rootOnB.get(MLV + "audit/verify", Map.of())).path("valid").asBoolean()).isTrue();
    }
}
