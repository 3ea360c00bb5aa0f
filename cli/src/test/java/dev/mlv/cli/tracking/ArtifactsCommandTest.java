package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.cli.InProcessCli;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv artifacts}: MLflow's {@code mlflow artifacts} commands against a real in-process server. */
class ArtifactsCommandTest {
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home.resolve("server"), null, null));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    /** {@code mlv <args> --tracking-uri <server>}: exit code, stdout, stderr. */
    private static String[] mlv(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--tracking-uri");
        all.add(server.url());
        return InProcessCli.run("", all.toArray(String[]::new));
    }

    /** A finished run without artifacts. */
    private static String newRun() {
        try (var r = MlvClient.connect(server.url()).captureEnvironment(false).startRun("artifacts-" + System.nanoTime())) {
            return r.runId();
        }
    }

    @Test
    void uploadListAndDownloadARunsArtifactsThenAModelVersionsVerifiedFiles() throws Exception {
        String run = newRun();
        Path local = home.resolve("local");
        Files.createDirectories(local.resolve("sub"));
        Files.writeString(local.resolve("a.txt"), "alpha");
        Files.write(local.resolve("sub/b.bin"), new byte[]{0, 1, 2, 3});
        Path notes = Files.writeString(home.resolve("notes.md"), "# notes");

        String[] dir = mlv("artifacts", "log-artifacts", "--local-dir", home.resolve("local").toString(), "--run-id", run, "-a", "data");
        assertThat(dir[0]).as(dir[2]).isEqualTo("0");
        assertThat(mlv("artifacts", "log-artifact", "-l", notes.toString(), "-r", run)[1]).isEqualTo("Logged " + notes + " to run " + run + "\n");

        String[] list = mlv("artifacts", "list", "--run-id", run);
        assertThat(list[1]).contains("data/", "notes.md", "7");
        JsonNode files = RestClient.json().readTree(mlv("artifacts", "list", "-u", "runs:/" + run + "/data", "--json")[1]).path("files");
        assertThat(files.findValuesAsText("path")).containsExactly("data/a.txt", "data/sub");
        assertThat(files.get(1).path("is_dir").asBoolean()).isTrue();
        assertThat(files.get(0).path("file_size").asLong()).isEqualTo(5);

        Path all = home.resolve("all");
        String[] got = mlv("artifacts", "download", "--run-id", run, "-d", all.toString());
        assertThat(got[1].strip()).isEqualTo(all.toAbsolutePath().toString());
        assertThat(Files.readString(all.resolve("data/a.txt"))).isEqualTo("alpha");
        assertThat(Files.readAllBytes(all.resolve("data/sub/b.bin"))).containsExactly(0, 1, 2, 3);
        assertThat(Files.readString(all.resolve("notes.md"))).isEqualTo("# notes");

        Path one = home.resolve("one");
        assertThat(mlv("artifacts", "download", "-u", "runs:/" + run + "/data/sub/b.bin", "-d", one.toString())[1].strip())
                .isEqualTo(one.resolve("b.bin").toAbsolutePath().toString());
        Path folder = home.resolve("folder");
        mlv("artifacts", "download", "-r", run, "-a", "data/sub", "-d", folder.toString());
        assertThat(folder.resolve("sub/b.bin")).exists();
        String[] tmp = mlv("artifacts", "download", "-r", run, "-a", "notes.md", "--json");
        assertThat(Path.of(RestClient.json().readTree(tmp[1]).path("path").asText())).hasContent("# notes");

        // the Java client reports one task over every file's bytes (the CLI draws it as a bar on a terminal)
        long[] seen = new long[2];
        MlvClient.connect(server.url()).downloadArtifacts(run, "data", home.resolve("counted"), new dev.mlv.data.Progress() {
            @Override
            public void message(String line) {
            }

            @Override
            public Task start(String name, long total, boolean bytes) {
                seen[0] = total;
                return new Task() {
                    @Override
                    public void advance(long units) {
                        seen[1] += units;
                    }

                    @Override
                    public void close() {
                    }
                };
            }
        });
        assertThat(seen).as("total and bytes received: a.txt and sub/b.bin").containsExactly(9, 9);

        // a registered version's files come with the digests recorded at registration
        RestClient rest = new RestClient(server.url());
        rest.post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "cli-art"));
        rest.post("/api/2.0/mlflow/model-versions/create", RestClient.object().put("name", "cli-art")
                .put("source", "runs:/" + run + "/data").put("run_id", run));
        Path model = home.resolve("model");
        String[] m = mlv("artifacts", "download", "-u", "models:/cli-art/1", "-d", model.toString());
        assertThat(m[0]).as(m[2]).isEqualTo("0");
        assertThat(Files.readString(model.resolve("a.txt"))).isEqualTo("alpha");
        assertThat(model.resolve("sub/b.bin")).exists();
    }

    @Test
    void badPathsAndMixedOptionsAreRefusedAndNothingIsWritten() throws Exception {
        String run = newRun();
        Path dst = home.resolve("bad");
        for (String path : new String[]{"../x", "/etc/passwd", "a/../../x", "a\\..\\x", "%2e%2e/x"}) {
            String[] r = mlv("artifacts", "download", "-r", run, "-a", path, "-d", dst.toString());
            assertThat(r[0]).as(path + ": " + r[2]).isNotEqualTo("0");
            assertThat(r[2]).as(path).startsWith("mlv: error: Invalid path");
        }
        assertThat(dst).doesNotExist();
        String[] both = mlv("artifacts", "list", "-r", run, "-u", "runs:/" + run + "/x");
        assertThat(both[2]).contains("not both");
        assertThat(mlv("artifacts", "list")[2]).contains("Missing --run-id");
        assertThat(mlv("artifacts", "list", "-u", "s3://bucket/x")[2]).contains("Invalid");
        assertThat(mlv("artifacts", "log-artifact", "-l", home.resolve("missing").toString(), "-r", run)[2]).contains("Not a file");
        assertThat(MlvClient.connect(server.url()).listArtifacts(run, "")).as("nothing uploaded").isEmpty();
    }
}
