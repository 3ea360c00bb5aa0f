package dev.mlv.cli.models;

import dev.mlv.cli.Main;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv audit verify} names the first altered event after a row is changed directly in the database. */
class AuditVerifyCliTest {
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static int mlv(StringWriter out, String... args) {
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(out, true));
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--tracking-uri";
        all[args.length + 1] = server.url();
        return cl.execute(all);
    }

    @Test
    void verifyFailsAndNamesTheAlteredEvent() throws Exception {
        for (String name : new String[]{"m1", "m2", "m3"}) {
            StringWriter w = new StringWriter();
            assertThat(mlv(w, "models", "register", name, "mlflow-artifacts:/models/" + name, "--user", "alice"))
                    .as(w.toString()).isZero();
        }
        StringWriter ok = new StringWriter();
        assertThat(mlv(ok, "audit", "verify")).as(ok.toString()).isZero();

        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + home.resolve("mlv.db").toAbsolutePath());
             Statement s = c.createStatement()) {
            assertThat(s.executeUpdate("UPDATE audit_events SET user_id = 'mallory' WHERE seq = 3")).isEqualTo(1);
        }
        StringWriter broken = new StringWriter();
        assertThat(mlv(broken, "audit", "verify")).isEqualTo(1);
        assertThat(broken.toString()).contains("BROKEN at event 3");
        StringWriter log = new StringWriter();
        assertThat(mlv(log, "audit", "log", "--json")).isZero();
        assertThat(log.toString()).contains("mallory");
    }
}
