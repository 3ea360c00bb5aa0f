package dev.mlv.server.scratch;

import dev.mlv.server.*;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;

class ProbeTest {
    @TempDir Path home;
    @Test
    void probe() throws Exception {
        try (MlvServer s = MlvServer.start(ServerConfig.forHome(home).withPort(0))) {
            String api = "/api/2.0/mlflow-artifacts/artifacts/";
            for (String a : new String[]{"..\\secret.txt", "a\\..\\..\\secret.txt", "..;/secret.txt", "%c0%ae%c0%ae/secret.txt", "a#b", "x?y", "../../../../etc/passwd"}) {
                for (String m : new String[]{"GET", "PUT"}) {
                    RawHttp.Response r = RawHttp.send(s.port(), m, api + a);
                    System.out.println("PROBE " + m + " " + a + " -> " + r.status() + " " + r.headers().get("content-type") + " " + r.body().replace("\n", " ").substring(0, Math.min(300, r.body().length())));
                }
                RawHttp.Response r = RawHttp.send(s.port(), "GET", api.substring(0, api.length() - 1) + "?path=" + a);
                System.out.println("PROBE list " + a + " -> " + r.status() + " " + r.body().replace("\n", " ").substring(0, Math.min(300, r.body().length())));
            }
            RawHttp.Response r = RawHttp.send(s.port(), "PUT", "/api/2.0/mlflow-artifacts/artifacts/dirs/d/f.txt", "text/plain", "x".getBytes());
            r = RawHttp.send(s.port(), "PUT", "/api/2.0/mlflow-artifacts/artifacts/dirs/d/f.txt/below", "text/plain", "x".getBytes());
            System.out.println("PROBE below -> " + r.status() + " " + r.body());
        }
    }
}
