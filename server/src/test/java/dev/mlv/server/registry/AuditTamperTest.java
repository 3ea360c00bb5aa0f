package dev.mlv.server.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.Map;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;

/** Tampering with the audit table directly in the SQLite database is detected and the first bad event named. */
class AuditTamperTest {
    @TempDir
    Path home;
    MlvServer server;
    RegistryHttp http;

    @BeforeEach
    void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = new RegistryHttp(server);
        http.createModel("fraud");                                       // 1
        String runId = http.run(Map.of());
        http.version("fraud", runId);                                    // 2
        http.version("fraud", runId);                                    // 3
        for (String v : new String[]{"1", "2", "1"}) {                   // 4, 5, 6
            http.ok(http.post(MLFLOW + "model-versions/transition-stage", obj("name", "fraud", "version", v,
                    "stage", "Production", "archive_existing_versions", true), "alice"));
        }
        http.ok(http.post(MLFLOW + "registered-models/alias", obj("name", "fraud", "alias", "champion", "version", "2"))); // 7
        assertThat(verify().path("valid").asBoolean()).isTrue();
        assertThat(verify().path("events_checked").asLong()).isEqualTo(7);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private JsonNode verify() {
        return http.ok(http.get(MLV + "audit/verify", Map.of()));
    }

    private void sql(String statement) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("mlv.db"));
             Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.executeUpdate(statement);
        }
    }

    @Test
    void anAlteredEventIsNamed() throws Exception {
        sql("UPDATE audit_events SET user_id = 'mallory' WHERE seq = 5");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(5);
        assertThat(v.path("problem").asText()).contains("altered");
        assertThat(v.path("events_checked").asLong()).isEqualTo(4);
    }

    @Test
    void anAlteredPayloadWithARecomputedOwnHashBreaksTheNextLink() throws Exception {
        // a careful forger recomputes event 4's hash, but event 5 still names the old one
        JsonNode e4 = http.ok(http.get(MLV + "audit/events", Map.of())).path("events").get(3);
        String forgedPayload = "{\"from\":\"Staging\",\"to\":\"Production\"}";
        String forgedHash = dev.mlv.audit.AuditChain.hash(4, e4.path("timestamp").asLong(), e4.path("user").asText(),
                e4.path("action").asText(), e4.path("model").asText(), e4.path("version").asText(), forgedPayload,
                e4.path("prev_hash").asText());
        sql("UPDATE audit_events SET payload = '" + forgedPayload + "', hash = '" + forgedHash + "' WHERE seq = 4");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(5);
    }

    @Test
    void aDeletedEventIsNamed() throws Exception {
        sql("DELETE FROM audit_events WHERE seq = 3");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(3);
        assertThat(v.path("problem").asText()).contains("missing");
    }

    @Test
    void removingTheNewestEventIsSeenToo() throws Exception {
        sql("DELETE FROM audit_events WHERE seq = 7");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(7);
    }

    @Test
    void oneChangedAndAnotherDeletedNamesTheFirst() throws Exception {
        sql("UPDATE audit_events SET payload = '{\"from\":\"None\",\"to\":\"Staging\"}' WHERE seq = 6");
        sql("DELETE FROM audit_events WHERE seq = 2");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(2);
    }

    @Test
    void reorderedEventsAreNamed() throws Exception {
        // swap the contents of events 4 and 5 (keeping seq numbers): both hashes still match their own rows' seq? no —
        // the seq is hashed, so swapping whole rows but renumbering them is what a forger would try
        sql("UPDATE audit_events SET seq = 100 WHERE seq = 4");
        sql("UPDATE audit_events SET seq = 4 WHERE seq = 5");
        sql("UPDATE audit_events SET seq = 5 WHERE seq = 100");
        JsonNode v = verify();
        assertThat(v.path("valid").asBoolean()).isFalse();
        assertThat(v.path("first_invalid_seq").asLong()).isEqualTo(4);
    }
}
