package dev.mlv.cli;

import dev.mlv.client.http.RestClient;
import dev.mlv.s3.S3ProxyExtension;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv gc} on a server whose artifacts are in S3 (s3proxy in-process): a removed run's objects are gone. */
class GcS3Test {
    static final String BUCKET = "mlv-gc";
    @RegisterExtension
    static final S3ProxyExtension S3 = new S3ProxyExtension(BUCKET);

    private static List<String> keys(String prefix) {
        try (var client = S3.fixture().client()) {
            return client.listObjectsV2(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream().map(o -> o.key()).toList();
        }
    }

    @Test
    void aRemovedRunsObjectsAreDeletedFromS3AndTheOthersStay(@TempDir Path home) throws Exception {
        String dest = "s3://" + BUCKET + "/mlv";
        try (MlvServer server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, dest))) {
            RestClient rest = new RestClient(server.url());
            String[] runs = new String[2];
            for (int i = 0; i < 2; i++) {
                runs[i] = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", "0"))
                        .path("run").path("info").path("run_id").asText();
                Path f = Files.createTempFile(home, "w", ".bin");
                Files.writeString(f, "weights " + i);
                rest.putFile("/api/2.0/mlflow-artifacts/artifacts/0/" + runs[i] + "/artifacts/model/w.bin", f);
            }
            rest.post("/api/2.0/mlflow/runs/delete", RestClient.object().put("run_id", runs[0]));
            assertThat(keys("mlv/0/" + runs[0] + "/")).hasSize(1);

            String[] r = InProcessCli.run("", "gc", "--backend-store-uri=sqlite:///" + home.resolve("mlv.db"),
                    "--artifacts-destination=" + dest);
            assertThat(r[0]).as(r[2]).isEqualTo("0");
            assertThat(r[1]).startsWith("Removed 1 run(s) and 0 experiment(s) for good, with their artifacts.");
            assertThat(keys("mlv/0/" + runs[0] + "/")).isEmpty();
            assertThat(keys("mlv/0/" + runs[1] + "/")).containsExactly("mlv/0/" + runs[1] + "/artifacts/model/w.bin");
        }
    }
}
