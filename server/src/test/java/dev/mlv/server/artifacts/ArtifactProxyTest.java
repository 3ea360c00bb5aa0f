package dev.mlv.server.artifacts;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.artifacts.DeterministicStream;
import dev.mlv.server.MlvServer;
import dev.mlv.server.RawHttp;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The artifact proxy over raw HTTP: round trips, listing, delete, a 200+ MB streamed file, and path attacks. */
class ArtifactProxyTest {
    private static final String API = "/api/2.0/mlflow-artifacts/artifacts";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path home;
    static MlvServer server;
    static HttpClient http;
    static Path artifactRoot;
    static Path outside;
    static String runId;

    @BeforeAll
    static void start() throws Exception {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        artifactRoot = home.resolve("artifacts").toRealPath();
        outside = Files.createDirectories(home.resolve("outside"));
        Files.writeString(home.resolve("secret.txt"), "top secret");
        Files.writeString(outside.resolve("keep.txt"), "keep me");
        Files.createDirectories(artifactRoot.resolve("links"));
        Files.createSymbolicLink(artifactRoot.resolve("links/escape"), outside);
        Files.createSymbolicLink(artifactRoot.resolve("links/secret-link"), home.resolve("secret.txt"));
        JsonNode run = json(post("/api/2.0/mlflow/runs/create", "{\"experiment_id\":\"0\"}"));
        runId = run.at("/run/info/run_id").asText();
        // a model version from the run's files (registered before the run gets the symlinks below, which it refuses)
        assertThat(put("0/" + runId + "/artifacts/model/notes.txt", utf8("a note\n")).statusCode()).isEqualTo(200);
        json(post("/api/2.0/mlflow/registered-models/create", "{\"name\":\"proxied\"}"));
        json(post("/api/2.0/mlflow/model-versions/create", "{\"name\":\"proxied\",\"run_id\":\"" + runId
                + "\",\"source\":\"mlflow-artifacts:/0/" + runId + "/artifacts\"}"));
        Path runLinks = Files.createDirectories(artifactRoot.resolve("0/" + runId + "/artifacts/links"));
        Files.createSymbolicLink(runLinks.resolve("escape"), outside);
        Files.createSymbolicLink(runLinks.resolve("secret-link"), home.resolve("secret.txt"));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    // ---- helpers

    static String url(String pathAndQuery) {
        return server.url() + pathAndQuery;
    }

    static HttpResponse<String> put(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(API + "/" + path)))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> get(String pathAndQuery) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(pathAndQuery))).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> delete(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(API + "/" + path))).DELETE().build(), HttpResponse.BodyHandlers.ofString());
    }

    static HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- round trips

    @Test
    void smallFileRoundTrip() throws Exception {
        HttpResponse<String> up = put("small/hello.txt", utf8("hello, artifacts"));
        assertThat(up.statusCode()).isEqualTo(200);
        assertThat(up.body()).isEqualTo("{}");
        assertThat(Files.readString(artifactRoot.resolve("small/hello.txt"))).isEqualTo("hello, artifacts");

        HttpResponse<String> down = get(API + "/small/hello.txt");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEqualTo("hello, artifacts");
        assertThat(down.headers().firstValue("content-disposition")).hasValueSatisfying(v -> assertThat(v).startsWith("attachment; filename=\"hello.txt\""));
        assertThat(down.headers().firstValue("x-content-type-options")).hasValue("nosniff");
        assertThat(down.headers().firstValueAsLong("content-length")).hasValue(16);
    }

    @Test
    void anEmptyFileDownloadsAsNoBytes() throws Exception {
        assertThat(put("small/empty.bin", new byte[0]).statusCode()).isEqualTo(200);
        HttpResponse<String> down = get(API + "/small/empty.bin");
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEmpty();
        assertThat(down.headers().firstValueAsLong("content-length")).hasValue(0);
    }

    @Test
    void headGivesADownloadsHeadersAndErrorsWithoutTheBody() throws Exception {
        put("head/model.onnx", utf8("12345"));
        RawHttp.Response file = RawHttp.send(server.port(), "HEAD", API + "/head/model.onnx");
        assertThat(file.status()).isEqualTo(200);
        assertThat(file.headers()).containsEntry("content-length", "5");
        assertThat(file.headers().get("content-disposition")).startsWith("attachment; filename=\"model.onnx\"");
        assertThat(file.headers()).containsEntry("x-content-type-options", "nosniff");
        assertThat(file.body()).isEmpty();
        assertThat(RawHttp.send(server.port(), "HEAD", API + "/head/missing.onnx").status()).isEqualTo(404);
        assertThat(RawHttp.send(server.port(), "HEAD", API + "/head").status()).as("a directory").isEqualTo(400);
        assertThat(RawHttp.send(server.port(), "HEAD", API + "/..%2fsecret.txt").status()).isEqualTo(400);
    }

    @Test
    void overwriteReplacesTheFile() throws Exception {
        put("over/f.bin", utf8("first, longer content"));
        put("over/f.bin", utf8("second"));
        assertThat(get(API + "/over/f.bin").body()).isEqualTo("second");
    }

    @Test
    void nestedFilesAndListing() throws Exception {
        String run = "1/0123456789abcdef0123456789abcdef/artifacts";
        put(run + "/model/MLmodel", utf8("flavors:\n  onnx: {}\n"));
        put(run + "/model/model.onnx", new byte[1234]);
        put(run + "/metrics.json", utf8("{\"acc\":1}"));
        put(run + "/dir%20with%20space/%E6%95%B0%E6%8D%AE.csv", utf8("a,b\n"));

        JsonNode listing = json(get(API + "?path=" + run));
        assertThat(listing.get("files")).hasSize(3);
        assertThat(listing.get("files").get(0).toString()).isEqualTo("{\"path\":\"dir with space\",\"is_dir\":true}");
        assertThat(listing.get("files").get(1).toString()).isEqualTo("{\"path\":\"metrics.json\",\"is_dir\":false,\"file_size\":9}");
        assertThat(listing.get("files").get(2).toString()).isEqualTo("{\"path\":\"model\",\"is_dir\":true}");

        JsonNode model = json(get(API + "?path=" + run + "/model"));
        assertThat(model.get("files")).extracting(f -> f.get("path").asText()).containsExactly("MLmodel", "model.onnx");
        assertThat(model.at("/files/1/file_size").asLong()).isEqualTo(1234);

        assertThat(get(API + "/" + run + "/dir%20with%20space/%E6%95%B0%E6%8D%AE.csv").body()).isEqualTo("a,b\n");
        assertThat(json(get(API + "?path=" + run + "/dir+with+space")).at("/files/0/path").asText()).isEqualTo("数据.csv");

        assertThat(get(API + "?path=no/such/dir").body()).isEqualTo("{}");
        assertThat(json(get(API)).get("files")).extracting(f -> f.get("path").asText()).contains("1");
        assertThat(json(get("/ajax-api/2.0/mlflow-artifacts/artifacts?path=" + run)).get("files")).hasSize(3);
    }

    @Test
    void deletesFilesAndDirectories() throws Exception {
        put("del/a/one.txt", utf8("1"));
        put("del/a/sub/two.txt", utf8("2"));
        put("del/b.txt", utf8("b"));

        assertThat(delete("del/a/sub/two.txt").statusCode()).isEqualTo(200);
        assertThat(Files.exists(artifactRoot.resolve("del/a/sub/two.txt"))).isFalse();
        assertThat(delete("del/a").body()).isEqualTo("{}");
        assertThat(Files.exists(artifactRoot.resolve("del/a"))).isFalse();
        assertThat(Files.readString(artifactRoot.resolve("del/b.txt"))).isEqualTo("b");
        assertThat(delete("del/never-existed").statusCode()).isEqualTo(200);

        HttpResponse<String> gone = get(API + "/del/a/one.txt");
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(gone.body()).get("error_code").asText()).isEqualTo("RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void directoriesAndTheRootAreRefusedWhereAFileIsMeant() throws Exception {
        put("dirs/d/f.txt", utf8("f"));
        assertError(put("dirs/d", utf8("x")), 400, "INVALID_PARAMETER_VALUE");
        assertError(get(API + "/dirs/d"), 400, "INVALID_PARAMETER_VALUE");
        assertError(put("dirs/d/f.txt/below", utf8("x")), 400, "INVALID_PARAMETER_VALUE");
        assertError(RawHttp.send(server.port(), "DELETE", API + "/"), 400, "INVALID_PARAMETER_VALUE");
        assertError(RawHttp.send(server.port(), "PUT", API + "/"), 400, "INVALID_PARAMETER_VALUE");
        assertThat(Files.readString(artifactRoot.resolve("dirs/d/f.txt"))).isEqualTo("f");
    }

    @Test
    void runArtifactsAreListedThroughTheirMlflowArtifactsUri() throws Exception {
        JsonNode run = json(post("/api/2.0/mlflow/runs/create", "{\"experiment_id\":\"0\"}")).get("run");
        String id = run.at("/info/run_id").asText();
        String artifactUri = run.at("/info/artifact_uri").asText();
        assertThat(artifactUri).isEqualTo("mlflow-artifacts:/0/" + id + "/artifacts");

        put("0/" + id + "/artifacts/model/MLmodel", utf8("m"));
        put("0/" + id + "/artifacts/notes.txt", utf8("n"));

        JsonNode top = json(get("/api/2.0/mlflow/artifacts/list?run_id=" + id));
        assertThat(top.get("root_uri").asText()).isEqualTo(artifactUri);
        assertThat(top.get("files").toString())
                .isEqualTo("[{\"path\":\"model\",\"is_dir\":true},{\"path\":\"notes.txt\",\"is_dir\":false,\"file_size\":1}]");
        JsonNode model = json(get("/api/2.0/mlflow/artifacts/list?run_id=" + id + "&path=model"));
        assertThat(model.get("files").toString()).isEqualTo("[{\"path\":\"model/MLmodel\",\"is_dir\":false,\"file_size\":1}]");
        assertThat(json(get("/api/2.0/mlflow/artifacts/list?run_uuid=" + id + "&path=nothing")).has("files")).isFalse();
        assertError(get("/api/2.0/mlflow/artifacts/list?run_id=" + "f".repeat(32)), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/api/2.0/mlflow/artifacts/list"), 400, "INVALID_PARAMETER_VALUE");
    }

    // ---- large files

    @Test
    void streamsA200MegabyteFileUpAndDown() throws Exception {
        long size = 200L * 1024 * 1024 + 4321;
        List<MemoryPoolMXBean> oldGen = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP && (p.getName().contains("Old") || p.getName().contains("Tenured")))
                .toList();
        System.gc();
        long oldBefore = oldGen.stream().mapToLong(p -> p.getUsage().getUsed()).sum();
        oldGen.forEach(MemoryPoolMXBean::resetPeakUsage);

        MessageDigest sent = MessageDigest.getInstance("SHA-256");
        HttpRequest upload = HttpRequest.newBuilder(URI.create(url(API + "/big/blob.bin")))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> new DeterministicStream(size, 7, sent)), size))
                .build();
        HttpResponse<String> up = http.send(upload, HttpResponse.BodyHandlers.ofString());
        assertThat(up.statusCode()).as(up.body()).isEqualTo(200);
        assertThat(Files.size(artifactRoot.resolve("big/blob.bin"))).isEqualTo(size);

        MessageDigest received = MessageDigest.getInstance("SHA-256");
        HttpResponse<InputStream> down = http.send(HttpRequest.newBuilder(URI.create(url(API + "/big/blob.bin"))).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.headers().firstValueAsLong("content-length")).hasValue(size);
        long n = 0;
        try (InputStream in = down.body()) {
            byte[] buf = new byte[1 << 16];
            for (int r; (r = in.read(buf)) > 0; n += r) received.update(buf, 0, r);
        }
        assertThat(n).isEqualTo(size);
        assertThat(HexFormat.of().formatHex(received.digest())).isEqualTo(HexFormat.of().formatHex(sent.digest()));

        // a whole-file buffer (in the server or the client) would be a humongous/tenured allocation of >= 200 MB
        long oldPeakGrowth = oldGen.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum() - oldBefore;
        assertThat(oldPeakGrowth).as("old-generation peak growth during the transfers").isLessThan(size / 2);

        assertThat(delete("big").statusCode()).isEqualTo(200);
        assertThat(Files.exists(artifactRoot.resolve("big"))).isFalse();
    }

    @Test
    void downloadsAbandonedMidwayLeaveLaterDownloadsIntact() throws Exception {
        byte[] content = new byte[16 * 1024 * 1024 + 17];
        new java.util.Random(42).nextBytes(content);
        assertThat(put("abandoned/blob.bin", content).statusCode()).isEqualTo(200);
        // clients that read the headers and a little of the body, then reset the connection
        for (int i = 0; i < 5; i++) {
            try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
                socket.getOutputStream().write(utf8("GET " + API + "/abandoned/blob.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
                assertThat(socket.getInputStream().readNBytes(100_000)).hasSize(100_000);
                socket.setSoLinger(true, 0);
            }
        }
        // the buffers those downloads held go back to the pool; downloads side by side still get every byte right
        List<java.util.concurrent.CompletableFuture<HttpResponse<byte[]>>> downloads = Stream.generate(() -> http.sendAsync(
                HttpRequest.newBuilder(URI.create(url(API + "/abandoned/blob.bin"))).build(), HttpResponse.BodyHandlers.ofByteArray()))
                .limit(3).toList();
        for (var d : downloads) {
            HttpResponse<byte[]> r = d.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(java.util.Arrays.equals(r.body(), content)).as("downloaded bytes equal the uploaded ones").isTrue();
        }
    }

    // ---- path attacks

    /** Raw request-line fragments: each is placed after {@code …/artifacts/} and after {@code ?path=}. */
    static Stream<String> attacks() {
        return Stream.of(
                "../secret.txt", "../../secret.txt", "a/../../secret.txt", "a/b/../../../secret.txt", "..",
                "%2e%2e/secret.txt", "%2E%2E%2Fsecret.txt", "a/%2e%2e/%2e%2e/secret.txt", ".%2e/secret.txt", "%2e./secret.txt",
                "%252e%252e/secret.txt", "%252e%252e%252fsecret.txt", "%25252e%25252e/secret.txt", "..%252f..%252fsecret.txt",
                "..%5csecret.txt", "%5c..%5csecret.txt", "..\\secret.txt", "a\\..\\..\\secret.txt", "%255c..%255csecret.txt",
                "..;/secret.txt", "a;b", "x%3b/../secret.txt", "%3b", "..%3b/secret.txt",
                "%23/../secret.txt", "a%23b", "a%3fb", "%3f..%2fsecret.txt",
                "a%00b", "%2500", "a%0d%0aSet-Cookie:%20x=1", "%7f", "%c2%85",
                "/etc/passwd", "%2fetc%2fpasswd", "%252fetc%252fpasswd", "C:%5cWindows", "C:/Windows", "c%3a/x",
                "~/x", "%7e/x", "%c0%ae%c0%ae/secret.txt", "%e0%80%ae%e0%80%ae/secret.txt",
                "links/escape/keep.txt", "links/escape/new.txt", "links/escape", "links/secret-link",
                "a/".repeat(2100) + "x");
    }

    @ParameterizedTest
    @MethodSource("attacks")
    void pathAttacksAreRefusedAndTouchNothing(String attack) throws Exception {
        Map<String, String> before = snapshot();
        int port = server.port();
        assertRefused(RawHttp.send(port, "PUT", API + "/" + attack, "application/octet-stream", utf8("pwned")), "PUT " + attack);
        assertRefused(RawHttp.send(port, "GET", API + "/" + attack), "GET " + attack);
        assertRefused(RawHttp.send(port, "DELETE", API + "/" + attack), "DELETE " + attack);
        assertRefused(RawHttp.send(port, "PUT", "/ajax-api/2.0/mlflow-artifacts/artifacts/" + attack, "application/octet-stream", utf8("pwned")), "ajax PUT " + attack);
        // (a multipart upload on a file store touches no file, so the symlinks do not apply; it answers 501 below)
        for (String mpu : attack.startsWith("links/") ? List.<String>of() : List.of("create", "complete", "abort")) {
            assertRefused(RawHttp.send(port, "POST", "/api/2.0/mlflow-artifacts/mpu/" + mpu + "/" + attack, "application/json",
                    utf8("{\"path\":\"model.bin\",\"num_parts\":1,\"upload_id\":\"u\",\"parts\":[{\"part_number\":1,\"etag\":\"e\"}]}")),
                    "mpu " + mpu + " " + attack);
        }
        if (!attack.contains("\\")) { // a raw backslash is not a valid query character either; covered as %5c
            assertRefused(RawHttp.send(port, "GET", API + "?path=" + attack), "list " + attack);
            assertRefused(RawHttp.send(port, "GET", "/api/2.0/mlflow/artifacts/list?run_id=" + runId + "&path=" + attack), "runs list " + attack);
            assertRefused(RawHttp.send(port, "GET", "/get-artifact?run_id=" + runId + "&path=" + attack), "get-artifact " + attack);
            assertRefused(RawHttp.send(port, "GET", "/model-versions/get-artifact?name=proxied&version=1&path=" + attack),
                    "model-versions/get-artifact " + attack);
            assertThat(RawHttp.send(port, "HEAD", "/get-artifact?run_id=" + runId + "&path=" + attack).status())
                    .as("HEAD get-artifact " + attack).isEqualTo(400);
        }
        assertThat(snapshot()).as("files after " + attack).isEqualTo(before);
        assertThat(Files.readString(home.resolve("secret.txt"))).isEqualTo("top secret");
        assertThat(Files.readString(outside.resolve("keep.txt"))).isEqualTo("keep me");
    }

    @Test
    void mlflowsGetArtifactRoutesSendARunsOrAModelVersionsFileAsAnAttachment() throws Exception {
        for (String route : List.of("/get-artifact?run_id=" + runId + "&path=model/notes.txt",
                "/get-artifact?run_uuid=" + runId + "&path=model%2Fnotes.txt",
                "/model-versions/get-artifact?name=proxied&version=1&path=model/notes.txt")) {
            HttpResponse<String> r = get(route);
            assertThat(r.statusCode()).as(route).isEqualTo(200);
            assertThat(r.body()).isEqualTo("a note\n");
            assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(t -> assertThat(t).startsWith("text/plain"));
            assertThat(r.headers().firstValue("Content-Disposition")).hasValueSatisfying(d -> assertThat(d).startsWith("attachment; filename=\"notes.txt\""));
            assertThat(r.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
            RawHttp.Response head = RawHttp.send(server.port(), "HEAD", route);
            assertThat(head.status()).as("HEAD " + route).isEqualTo(200);
            assertThat(head.headers()).containsEntry("content-length", "7");
            assertThat(head.headers().get("content-disposition")).startsWith("attachment; filename=\"notes.txt\"");
            assertThat(head.body()).isEmpty();
        }
        assertThat(RawHttp.send(server.port(), "HEAD", "/get-artifact?run_id=" + runId + "&path=model/absent.txt").status()).isEqualTo(404);
        assertThat(RawHttp.send(server.port(), "HEAD", "/get-artifact?run_id=" + runId + "&path=model").status()).isEqualTo(400);
        assertError(get("/get-artifact?run_id=" + "0".repeat(32) + "&path=model/notes.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/get-artifact?run_id=" + runId + "&path=model/absent.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
        assertError(get("/get-artifact?run_id=" + runId), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/get-artifact?path=model/notes.txt"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/get-artifact?run_id=" + runId + "&path=model"), 400, "INVALID_PARAMETER_VALUE");
        assertError(get("/model-versions/get-artifact?name=proxied&version=9&path=model/notes.txt"), 404, "RESOURCE_DOES_NOT_EXIST");
    }

    @Test
    void multipartUploadsNameTheirFileSafelyAndAreNotImplementedOnLocalFiles() throws Exception {
        Map<String, String> before = snapshot();
        String create = "/api/2.0/mlflow-artifacts/mpu/create/0/" + runId + "/artifacts";
        // the body's path is the client's local file: only its name counts, and it must be a plain name
        for (String bad : List.of("..", "/tmp/..", "C:\\data\\..", ".", "dir/", "a%2f..", "%2e%2e", "x;y", "a%00b", "a#b", "a?b")) {
            assertRefused(RawHttp.send(server.port(), "POST", create, "application/json",
                    utf8(JSON.writeValueAsString(Map.of("path", bad, "num_parts", 1)))), "mpu create of " + bad);
        }
        assertError(post(create, "{\"num_parts\":1}"), 400, "INVALID_PARAMETER_VALUE");
        for (String parts : List.of("0", "10001", "\"many\"")) {
            assertError(post(create, "{\"path\":\"model.bin\",\"num_parts\":" + parts + "}"), 400, "INVALID_PARAMETER_VALUE");
        }
        String complete = create.replace("/create/", "/complete/");
        assertError(post(complete, "{\"path\":\"model.bin\",\"upload_id\":\"u\"}"), 400, "INVALID_PARAMETER_VALUE");
        assertError(post(complete, "{\"path\":\"model.bin\",\"upload_id\":\"u\",\"parts\":[{\"etag\":\"e\"}]}"), 400, "INVALID_PARAMETER_VALUE");

        // a valid request on a file store: MLflow's NOT_IMPLEMENTED, whose message makes its clients fall back to a PUT
        for (var request : List.of(post(create, "{\"path\":\"/home/me/model.bin\",\"num_parts\":2}"),
                post(complete, "{\"path\":\"C:\\\\me\\\\model.bin\",\"upload_id\":\"u\",\"parts\":[{\"part_number\":1,\"etag\":\"e\"}]}"),
                post(create.replace("/create/", "/abort/"), "{\"path\":\"model.bin\",\"upload_id\":\"u\"}"),
                post(create.replace("/api/", "/ajax-api/"), "{\"path\":\"model.bin\",\"num_parts\":1}"))) {
            assertError(request, 501, "NOT_IMPLEMENTED");
            assertThat(JSON.readTree(request.body()).get("message").asText())
                    .startsWith("Multipart upload is not supported for the current artifact repository");
        }
        assertThat(snapshot()).isEqualTo(before);
    }

    private static void assertRefused(RawHttp.Response r, String what) throws IOException {
        assertThat(r.status()).as(what + " -> " + r.body()).isEqualTo(400);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("error_code").asText()).as(what).isEqualTo("INVALID_PARAMETER_VALUE");
        assertThat(body.get("message").asText()).as(what).isNotBlank();
    }

    private static void assertError(HttpResponse<String> r, int status, String code) throws IOException {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).get("error_code").asText()).isEqualTo(code);
    }

    private static void assertError(RawHttp.Response r, int status, String code) throws IOException {
        assertThat(r.status()).as(r.body()).isEqualTo(status);
        assertThat(JSON.readTree(r.body()).get("error_code").asText()).isEqualTo(code);
    }

    /** Every file and folder under the home (the database aside): path → size and modification time. */
    private static Map<String, String> snapshot() throws IOException {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(home)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                String rel = home.relativize(p).toString();
                if (rel.startsWith("mlv.db")) continue;
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                files.put(rel, a.isDirectory() ? "dir" : a.size() + "@" + a.lastModifiedTime().toMillis());
            }
        }
        return files;
    }
}
