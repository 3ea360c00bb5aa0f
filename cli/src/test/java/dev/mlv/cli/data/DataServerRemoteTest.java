package dev.mlv.cli.data;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.client.DatasetRef;
import dev.mlv.client.data.HttpRemote;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Digests;
import dev.mlv.data.ObjectBatch;
import dev.mlv.data.Remote;
import dev.mlv.data.RemoteContractTest;
import dev.mlv.data.Remotes;
import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The mlv-server remote against an in-process server: the Remote contract, the endpoints' checks, the CLI cycle. */
class DataServerRemoteTest extends RemoteContractTest {
    @TempDir
    static Path home;
    static MlvServer server;

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, null));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    @Override
    protected boolean listsAndDeletes() {
        return false; // the server's data store is shared by every repository that pushes to it: no gc --cloud
    }

    @Override
    protected Remote newRemote() {
        return Remotes.open(server.url());
    }

    @Test
    void theServerStoresObjectsInItsArtifactStoreAndRejectsBadNamesAndMismatches() throws Exception {
        assertThat(remote).isInstanceOf(HttpRemote.class);
        byte[] data = "payload".getBytes();
        String name = Digests.sha256(data);
        remote.upload(name, file(data), data.length);
        assertThat(home.resolve("artifacts/data/sha256/" + name.substring(0, 2) + "/" + name.substring(2))).hasBinaryContent(data);
        HttpClient http = HttpClient.newHttpClient();
        String base = server.url() + HttpRemote.BASE;
        for (String bad : new String[]{"..%2F..%2Fetc", "ABC", name + ".tar", name.substring(1)}) {
            var r = http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + bad)).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as(bad).isEqualTo(400);
        }
        var head = http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + name)).method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValueAsLong("content-length")).hasValue(data.length);
        assertThat(head.body()).isEmpty();
        assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + Digests.sha256("absent".getBytes())))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(404);
        var put = http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + Digests.sha256("x".getBytes())))
                .PUT(HttpRequest.BodyPublishers.ofString("y")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(put.statusCode()).isEqualTo(400);
        assertThat(put.body()).contains("INVALID_PARAMETER_VALUE").contains("mismatch");
        // past the in-memory limit (256 KiB) the body goes through a temp file: stored the same, refused the same on a mismatch
        byte[] large = new byte[(1 << 20) + 12345];
        new java.util.Random(3).nextBytes(large);
        String largeName = Digests.sha256(large);
        remote.upload(largeName, file(large), large.length);
        try (var in = remote.open(largeName)) {
            assertThat(in.readAllBytes()).isEqualTo(large);
        }
        var largeMismatch = http.send(HttpRequest.newBuilder(URI.create(base + "objects/" + Digests.sha256("z".getBytes())))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(large)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(largeMismatch.statusCode()).isEqualTo(400);
        assertThat(largeMismatch.body()).contains("mismatch");
        for (String bad : new String[]{"{\"digests\":[\"nothex\"]}", "not json", "{\"digests\": 3}"}) {
            var missing = http.send(HttpRequest.newBuilder(URI.create(base + "missing"))
                    .POST(HttpRequest.BodyPublishers.ofString(bad)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(missing.statusCode()).as(bad).isEqualTo(400);
        }
    }

    @Test
    void aBatchOfObjectsIsStoredWholeOrRefusedWholeWithA400() throws Exception {
        assertThat(remote.batchSize()).isGreaterThan(1);
        HttpClient http = HttpClient.newHttpClient();
        String url = server.url() + HttpRemote.BASE + "objects";
        byte[] a = "fir5t".getBytes(), b = "s3cond".getBytes(); // bytes no other test stores
        String nameA = Digests.sha256(a), nameB = Digests.sha256(b);
        java.util.function.Function<String, HttpResponse<String>> post = body -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", ObjectBatch.CONTENT_TYPE)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                        .build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String good = nameA + " 5\nfir5t";
        String[] refused = {
                good + nameB + " 6\nforged",                      // bytes that do not hash to their name
                good + "../../../etc/passwd 6\nsecond",           // a path where a name goes
                good + "sha256%2F..%2F" + nameB + " 6\ns3cond",
                good + nameB + " 600000\nsecond",                 // over the size limit
                good + nameB + " 9\nsecond",                      // cut short
        };
        for (String body : refused) {
            var r = post.apply(body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(r.body()).contains("INVALID_PARAMETER_VALUE");
            assertThat(remote.missing(List.of(nameA, nameB))).as("nothing of a refused batch is stored").containsExactly(nameA, nameB);
        }
        var wrongType = http.send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(good)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(wrongType.statusCode()).isEqualTo(400);
        var ok = post.apply(good + nameB + " 6\ns3cond");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo("{\"stored\": 2}");
        assertThat(remote.missing(List.of(nameA, nameB))).isEmpty();
        assertThat(home.resolve("artifacts/data/sha256/" + nameB.substring(0, 2) + "/" + nameB.substring(2))).hasBinaryContent(b);
        try (var names = java.nio.file.Files.walk(home.resolve("artifacts/data"))) {
            assertThat(names.map(f -> f.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void aFetchBatchAnswersTheSmallObjectsItHoldsAndRefusesBadNames() throws Exception {
        byte[] small = "fetched in a batch".getBytes();
        String name = Digests.sha256(small);
        remote.upload(name, file(small), small.length);
        HttpClient http = HttpClient.newHttpClient();
        java.util.function.Function<String, HttpResponse<byte[]>> fetch = json -> {
            try {
                return http.send(HttpRequest.newBuilder(URI.create(server.url() + HttpRemote.BASE + "fetch"))
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        String absent = Digests.sha256("absent from the server".getBytes());
        var ok = fetch.apply("{\"digests\": [\"" + absent + "\", \"" + name + "\"]}");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.headers().firstValue("content-type")).hasValueSatisfying(t -> assertThat(t).startsWith(ObjectBatch.CONTENT_TYPE));
        assertThat(new String(ok.body(), java.nio.charset.StandardCharsets.ISO_8859_1)).isEqualTo(name + " " + small.length + "\n" + new String(small));
        String tooMany = "{\"digests\": [" + String.join(",", java.util.Collections.nCopies(ObjectBatch.MAX_OBJECTS + 1, "\"" + name + "\"")) + "]}";
        for (String bad : new String[]{"{\"digests\": [\"../../etc/passwd\"]}", "{\"digests\": [\"" + name + "\", \"sha256/" + name + "\"]}",
                "{\"digests\": \"" + name + "\"}", "not json", tooMany}) {
            var r = fetch.apply(bad);
            assertThat(r.statusCode()).as(bad.length() > 100 ? "too many" : bad).isEqualTo(400);
        }
    }

    @Test
    void aCorruptObjectInAFetchedBatchFailsAloneAndTheRestArrives() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "corrupt-batch");
        for (int i = 0; i < 20; i++) Files.writeString(Files.createDirectories(repo.resolve("d")).resolve("f" + i + ".txt"), "row " + i + " of a batch\n");
        DataTestKit.mlv(repo, "add", "d").ok();
        DataTestKit.mlv(repo, "remote add", "origin", server.url(), "--default").ok();
        DataTestKit.mlv(repo, "push").ok();
        String bad = Digests.sha256("row 7 of a batch\n".getBytes());
        DataLocalCycleTest.flipByte(home.resolve("artifacts/data/sha256/" + bad.substring(0, 2) + "/" + bad.substring(2)));
        DataTestKit.deleteTree(repo.resolve(".mlv/cache"));
        DataTestKit.deleteTree(repo.resolve("d"));
        DataTestKit.Result pull = DataTestKit.mlv(repo, "pull", "-j", "1"); // one thread: batches of 5
        assertThat(pull.code()).isEqualTo(1);
        assertThat(pull.err()).contains("1 object(s) failed").contains(bad).contains("corrupt");
        try (var cached = Files.walk(repo.resolve(".mlv/cache/sha256"))) {
            assertThat(cached.filter(Files::isRegularFile).map(f -> f.getParent().getFileName() + "" + f.getFileName())
                    .filter(n -> !n.endsWith(Digests.DIR_SUFFIX))).hasSize(19).doesNotContain(bad);
        }
    }

    @Test
    void fullCycleThroughTheServer() throws Exception {
        DataTestKit.fullCycle(Files.createDirectories(tmp.resolve("cycle")), server.url());
    }

    @Test
    void aPushWithLostCacheObjectsSendsTheRestAndNamesThem() throws Exception {
        DataTestKit.pushWithLostCacheObjects(tmp, server.url());
    }

    @Test
    void gcCloudLeavesTheServersSharedStoreAlone() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "gc");
        DataTestKit.mlv(repo, "remote add", "srv", server.url(), "--default").ok();
        DataTestKit.Result r = DataTestKit.mlv(repo, "gc", "-w", "--cloud", "--dry-run");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("keeps the data of every repository that pushes to it", "gc --cloud works on local and S3 remotes");
    }

    @Test
    void runsThatLoggedADatasetVersionAreFoundByItsDigest() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "lineage");
        Files.writeString(repo.resolve("train.csv"), "x,y\n1,2\n");
        DataTestKit.mlv(repo, "add", "train.csv").ok();
        DataTestKit.mlv(repo, "remote add", "origin", server.url(), "--default").ok();
        DataTestKit.git(repo, "add", "-A");
        DataTestKit.git(repo, "commit", "-q", "-m", "train v1");
        DatasetRef ref = DatasetRef.fromPointer(repo.resolve("train.csv.mlv"));
        String full = Digests.sha256("x,y\n1,2\n".getBytes());
        assertThat(ref.name()).isEqualTo("train.csv");
        assertThat(ref.digest()).isEqualTo(full.substring(0, 32));
        assertThat(ref.sourceType()).isEqualTo("mlv");
        JsonNode source = RestClient.json().readTree(ref.source());
        assertThat(source.path("path").asText()).isEqualTo("train.csv");
        assertThat(source.path("digest").asText()).isEqualTo(full);
        assertThat(source.path("remote").asText()).isEqualTo(server.url());

        RestClient rest = new RestClient(server.url());
        String exp = rest.post("/api/2.0/mlflow/experiments/create", RestClient.object().put("name", "data-lineage"))
                .path("experiment_id").asText();
        String runId = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", exp))
                .path("run").path("info").path("run_id").asText();
        rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", exp)); // a run without it
        var body = RestClient.object().put("run_id", runId);
        body.putArray("datasets").add(ref.toDatasetInputJson());
        rest.post("/api/2.0/mlflow/runs/log-inputs", body);
        var search = RestClient.object().put("filter", "datasets.digest = '" + ref.digest() + "'");
        search.putArray("experiment_ids").add(exp);
        JsonNode runs = rest.post("/api/2.0/mlflow/runs/search", search).path("runs");
        assertThat(runs).hasSize(1);
        assertThat(runs.get(0).path("info").path("run_id").asText()).isEqualTo(runId);
        String log = DataTestKit.mlv(repo, "log", "train.csv.mlv", "--tracking-uri", server.url()).ok().out();
        assertThat(log).contains("train v1").contains(runId);
    }

    @Test
    void invalidNamesNeverReachTheServer() {
        assertThatThrownBy(() -> remote.open("../x")).isInstanceOf(MlvException.class);
    }
}
