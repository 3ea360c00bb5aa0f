package dev.mlv.cli.data;

import com.sun.net.httpserver.HttpServer;
import dev.mlv.data.PointerFile;
import dev.mlv.data.UrlReader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static dev.mlv.cli.data.DataTestKit.deleteTree;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv data import-url}, {@code update}, {@code status} and {@code fetch} for files from a local path and from a
 * real HTTP server (the JDK's, in-process) whose files carry an ETag, only a Last-Modified time, or neither.
 */
class DataImportUrlTest {
    @TempDir
    Path tmp;

    Path project;
    HttpServer http;
    String base;

    /** What the HTTP server serves: body and headers by path. */
    record Served(byte[] body, String etag, String modified) {
    }

    final Map<String, Served> served = new ConcurrentHashMap<>();
    /** Paths the HTTP server answers with a 302 to the Location given. */
    final Map<String, String> redirects = new ConcurrentHashMap<>();
    final java.util.concurrent.atomic.AtomicInteger gets = new java.util.concurrent.atomic.AtomicInteger();

    @BeforeEach
    void projectAndHttpServer() throws Exception {
        project = DataTestKit.newRepo(tmp, "project");
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", ex -> {
            String to = redirects.get(ex.getRequestURI().getPath());
            if (to != null) {
                ex.getResponseHeaders().set("Location", to);
                ex.sendResponseHeaders(302, -1);
                ex.close();
                return;
            }
            Served s = served.get(ex.getRequestURI().getPath());
            if (s == null) {
                ex.sendResponseHeaders(404, -1);
                ex.close();
                return;
            }
            if (s.etag() != null) ex.getResponseHeaders().set("ETag", s.etag());
            if (s.modified() != null) ex.getResponseHeaders().set("Last-Modified", s.modified());
            boolean head = ex.getRequestMethod().equals("HEAD");
            if (!head) gets.incrementAndGet();
            ex.getResponseHeaders().set("Content-Length", Integer.toString(s.body().length));
            ex.sendResponseHeaders(200, head ? -1 : s.body().length);
            if (!head) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(s.body());
                }
            }
            ex.close();
        });
        http.start();
        base = "http://127.0.0.1:" + http.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        http.stop(0);
    }

    void serve(String path, String body, String etag, String modified) {
        served.put(path, new Served(body.getBytes(StandardCharsets.UTF_8), etag, modified));
    }

    @Test
    void httpFilesFollowTheirEtagThroughStatusUpdateAndFetch() throws Exception {
        serve("/sets/train.csv", "a,b\n1,2\n", "\"v1\"", null);
        DataTestKit.Result r = mlv(project, "import-url", base + "/sets/train.csv", "data/train.csv").ok();
        assertThat(r.out()).contains("imported " + base + "/sets/train.csv (etag \"v1\") → data/train.csv.mlv");
        assertThat(Files.readString(project.resolve("data/train.csv"))).isEqualTo("a,b\n1,2\n");
        assertThat(Files.readString(project.resolve("data/.gitignore"))).contains("/train.csv\n");
        PointerFile pf = PointerFile.read(project.resolve("data/train.csv.mlv"));
        assertThat(pf.external()).isEqualTo(new PointerFile.External(base + "/sets/train.csv", "\"v1\"", null, 8L, null));
        assertThat(pf.outs().get(0).path()).isEqualTo("train.csv");
        var lineage = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                dev.mlv.client.DatasetRef.fromPointer(project.resolve("data/train.csv.mlv")).source());
        assertThat(lineage.at("/imported_from/url").asText()).isEqualTo(base + "/sets/train.csv");
        assertThat(lineage.at("/imported_from/etag").asText()).isEqualTo("\"v1\"");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");
        assertThat(mlv(project, "update").ok().out()).contains("data/train.csv.mlv is up to date with " + base + "/sets/train.csv (etag \"v1\")");
        // data gone from the workspace while the source holds the same version: update takes it from the cache
        Files.delete(project.resolve("data/train.csv"));
        int downloads = gets.get();
        assertThat(mlv(project, "update").ok().out()).contains("data/train.csv.mlv is up to date with").doesNotContain("git add");
        assertThat(Files.readString(project.resolve("data/train.csv"))).isEqualTo("a,b\n1,2\n");
        assertThat(gets.get()).as("nothing downloaded").isEqualTo(downloads);

        serve("/sets/train.csv", "a,b\n1,2\n3,4\n", "\"v2\"", null);
        assertThat(mlv(project, "status").ok().out()).contains("update available: data/train.csv (" + base
                + "/sets/train.csv changed: etag \"v1\" → etag \"v2\"; run 'mlv data update data/train.csv.mlv')");
        assertThat(mlv(project, "status", "--json").ok().out()).contains("\"status\" : \"update available\"");
        // the cache and the workspace lose the data: the URL has moved on, so fetch says to update instead of taking it
        deleteTree(project.resolve(".mlv/cache/sha256"));
        Files.delete(project.resolve("data/train.csv"));
        DataTestKit.Result f = mlv(project, "pull");
        assertThat(f.code()).isEqualTo(1);
        assertThat(f.err()).contains("holds another version now than data/train.csv.mlv records (etag \"v1\"): "
                + "'mlv data update data/train.csv.mlv' takes it");
        assertThat(project.resolve("data/train.csv")).doesNotExist();

        assertThat(mlv(project, "update", "data/train.csv").ok().out())
                .contains("updated data/train.csv.mlv from " + base + "/sets/train.csv: etag \"v1\" → etag \"v2\"");
        assertThat(Files.readString(project.resolve("data/train.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        assertThat(PointerFile.read(project.resolve("data/train.csv.mlv")).external().etag()).isEqualTo("\"v2\"");

        // same version at the source: fetch takes it from the URL, verified against the pointer's digest
        deleteTree(project.resolve(".mlv/cache/sha256"));
        Files.delete(project.resolve("data/train.csv"));
        assertThat(mlv(project, "pull").ok().out()).contains("fetched 1 object(s), 12 bytes (imports' sources)");
        assertThat(Files.readString(project.resolve("data/train.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        // a server that sends other bytes under the same ETag is caught by the digest
        serve("/sets/train.csv", "tampered\n", "\"v2\"", null);
        deleteTree(project.resolve(".mlv/cache/sha256"));
        DataTestKit.Result bad = mlv(project, "fetch");
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.err()).contains("is corrupt: its bytes hash to");

        // a pushed version comes from the remote, not the URL
        serve("/sets/train.csv", "a,b\n1,2\n3,4\n", "\"v2\"", null);
        mlv(project, "fetch").ok();
        mlv(project, "remote add", "store", "../store", "--default").ok();
        assertThat(mlv(project, "push").ok().out()).contains("pushed 1 object(s)");
        deleteTree(project.resolve(".mlv/cache/sha256"));
        served.clear();
        assertThat(mlv(project, "fetch").ok().out()).contains("fetched 1 object(s), 12 bytes (").doesNotContain("imports' sources");
    }

    @Test
    void withoutAnEtagTheVersionIsTheTimeOrTheBytes() throws Exception {
        serve("/a.csv", "1\n", null, "Wed, 21 Oct 2026 07:28:00 GMT");
        serve("/b.csv", "2\n", null, null);
        mlv(project, "import-url", base + "/a.csv").ok();
        mlv(project, "import-url", base + "/b.csv", "--json").ok();
        assertThat(PointerFile.read(project.resolve("a.csv.mlv")).external())
                .isEqualTo(new PointerFile.External(base + "/a.csv", null, "Wed, 21 Oct 2026 07:28:00 GMT", 2L, null));
        PointerFile b = PointerFile.read(project.resolve("b.csv.mlv"));
        assertThat(b.external().digest()).isEqualTo(b.outs().get(0).digest());
        assertThat(mlv(project, "status").ok().out()).contains("up to date");

        serve("/a.csv", "1\n", null, "Thu, 22 Oct 2026 07:28:00 GMT");
        serve("/b.csv", "2\n3\n", null, null);
        String status = mlv(project, "status").ok().out();
        assertThat(status).contains("update available: a.csv (" + base + "/a.csv changed: modified Wed, 21 Oct 2026 07:28:00 GMT → "
                + "modified Thu, 22 Oct 2026 07:28:00 GMT");
        assertThat(status).contains("update available: b.csv (" + base + "/b.csv changed: sha256 " + b.external().digest().substring(0, 12));
        String updated = mlv(project, "update", "-j", "1").ok().out();
        // a.csv's bytes are the same: its pointer records the new time, the data is unchanged
        assertThat(updated).contains("a.csv.mlv is up to date").contains("updated b.csv.mlv");
        assertThat(PointerFile.read(project.resolve("a.csv.mlv")).external().modified()).isEqualTo("Thu, 22 Oct 2026 07:28:00 GMT");
        assertThat(Files.readString(project.resolve("b.csv"))).isEqualTo("2\n3\n");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");
    }

    @Test
    void localFilesAreRecordedRelativeToThePointerAndFollowTheirDigest() throws Exception {
        Path src = Files.writeString(Files.createDirectories(tmp.resolve("shared")).resolve("labels.csv"), "x\n");
        Files.createDirectories(project.resolve("data"));
        mlv(project.resolve("data"), "import-url", "../../shared/labels.csv").ok();
        PointerFile pf = PointerFile.read(project.resolve("data/labels.csv.mlv"));
        assertThat(pf.external().url()).isEqualTo("../../shared/labels.csv");
        assertThat(pf.external().digest()).isEqualTo(pf.outs().get(0).digest());

        // a move keeps the source reachable, and uncommitted edits are not overwritten by an update
        mlv(project, "move", "data/labels.csv", "sets/deep/labels.csv").ok();
        assertThat(PointerFile.read(project.resolve("sets/deep/labels.csv.mlv")).external().url()).isEqualTo("../../../shared/labels.csv");
        Files.writeString(src, "x\ny\n");
        assertThat(mlv(project, "status").ok().out()).contains("update available: sets/deep/labels.csv");
        Files.setPosixFilePermissions(project.resolve("sets/deep/labels.csv"), java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(project.resolve("sets/deep/labels.csv"), "my edit\n");
        assertThat(mlv(project, "update", "sets/deep/labels.csv").code()).isNotZero();
        assertThat(Files.readString(project.resolve("sets/deep/labels.csv"))).isEqualTo("my edit\n");
        mlv(project, "update", "sets/deep/labels.csv", "--force").ok();
        assertThat(Files.readString(project.resolve("sets/deep/labels.csv"))).isEqualTo("x\ny\n");

        // 'add' refuses imported data, and the data is not re-added as the project's own
        assertThat(mlv(project, "add", "sets/deep/labels.csv").err()).contains("is imported from ../../../shared/labels.csv: update it with 'mlv data update'");
    }

    @Test
    void localFoldersAreImportedWholeAndFollowTheirManifest() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("shared/images/cats"));
        Files.writeString(src.resolve("tom.txt"), "tom\n");
        Files.writeString(src.getParent().resolve("dog.txt"), "dog\n");
        mlv(project, "import-url", tmp.resolve("shared/images") + "/", "data/images", "-j", "2").ok();
        assertThat(Files.readString(project.resolve("data/images/cats/tom.txt"))).isEqualTo("tom\n");
        assertThat(Files.readString(project.resolve("data/images/dog.txt"))).isEqualTo("dog\n");
        PointerFile pf = PointerFile.read(project.resolve("data/images.mlv"));
        assertThat(pf.outs().get(0).nfiles()).isEqualTo(2);
        assertThat(pf.external().url()).isEqualTo("../../shared/images");
        assertThat(pf.external().digest()).isEqualTo(pf.outs().get(0).digest());
        assertThat(mlv(project, "status").ok().out()).contains("up to date");

        Files.writeString(src.resolve("felix.txt"), "felix\n");
        assertThat(mlv(project, "status").ok().out()).contains("update available: data/images (" + tmp.resolve("shared/images") + " changed");
        // the cache loses it: fetch does not take the folder's new content for the old version
        deleteTree(project.resolve(".mlv/cache/sha256"));
        DataTestKit.Result f = mlv(project, "fetch");
        assertThat(f.code()).isEqualTo(1);
        assertThat(f.err()).contains("holds another version now than data/images.mlv records");
        assertThat(mlv(project, "update", "data/images", "--force").ok().out()).contains("updated data/images.mlv");
        assertThat(Files.readString(project.resolve("data/images/cats/felix.txt"))).isEqualTo("felix\n");
        assertThat(PointerFile.read(project.resolve("data/images.mlv")).outs().get(0).nfiles()).isEqualTo(3);
        deleteTree(project.resolve(".mlv/cache/sha256"));
        deleteTree(project.resolve("data/images"));
        assertThat(mlv(project, "pull").ok().out()).contains("fetched 3 object(s)");
        assertThat(Files.readString(project.resolve("data/images/cats/felix.txt"))).isEqualTo("felix\n");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");

        Files.createSymbolicLink(src.resolve("link.txt"), src.resolve("tom.txt"));
        assertError(mlv(project, "import-url", tmp.resolve("shared/images").toString(), "again"), "is a symlink");
    }

    @Test
    void redirectsAreFollowedWithinReasonAndThePointerKeepsTheUrlGiven() throws Exception {
        serve("/v2/train.csv", "a,b\n1,2\n", "\"v2\"", null);
        redirects.put("/latest/train.csv", "/v2/train.csv"); // relative, as servers often send it
        redirects.put("/old/train.csv", base + "/latest/train.csv");
        mlv(project, "import-url", base + "/old/train.csv", "train.csv").ok();
        assertThat(Files.readString(project.resolve("train.csv"))).isEqualTo("a,b\n1,2\n");
        PointerFile.External source = PointerFile.read(project.resolve("train.csv.mlv")).external();
        assertThat(source.url()).isEqualTo(base + "/old/train.csv");
        assertThat(source.etag()).isEqualTo("\"v2\"");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");

        java.util.List<String> before = top(project);
        redirects.put("/loop.csv", "/loop.csv");
        assertError(mlv(project, "import-url", base + "/loop.csv"), "more than " + 5 + " redirects");
        redirects.put("/away.csv", "ftp://127.0.0.1/x.csv");
        assertError(mlv(project, "import-url", base + "/away.csv"), "redirects to 'ftp://127.0.0.1/x.csv', not an http(s) URL");
        assertThat(top(project)).isEqualTo(before);
    }

    @Test
    void badSourcesAndTargetsAreOneLineErrorsThatChangeNothing() throws Exception {
        serve("/x.csv", "x\n", "\"1\"", null);
        Files.writeString(project.resolve("mine.csv"), "mine\n");
        Files.createDirectories(tmp.resolve("folder"));
        java.util.List<String> before = top(project);
        assertError(mlv(project, "import-url", base + "/nope.csv"), "No file at " + base + "/nope.csv (HTTP 404)");
        assertError(mlv(project, "import-url", "http://user:secret@127.0.0.1:1/x.csv"), "holds credentials")
                .doesNotContain("secret");
        assertError(mlv(project, "import-url", base + "/x.csv#part"), "a fragment");
        assertError(mlv(project, "import-url", base + "/"), "ends without a file name: name the output (OUT)");
        assertError(mlv(project, "import-url", base + "/x.csv", "../outside.csv"), "outside the repository");
        assertError(mlv(project, "import-url", base + "/x.csv", "mine.csv"), "'mine.csv' already exists");
        assertError(mlv(project, "import-url", "mine.csv", "copy.csv"), "inside this repository: track it with 'mlv data add' instead");
        assertError(mlv(project, "import-url", tmp.resolve("folder").toString()), "is an empty folder: there is nothing to read");
        assertError(mlv(project, "import-url", tmp.resolve("missing.csv").toString()), "No such file");
        assertError(mlv(project, "import-url", "ftp://host/x.csv"), "no reader for scheme 'ftp'");
        assertError(mlv(project, "import-url", "s3://bucket/"), "names a whole bucket");
        assertError(mlv(project, "update", "--rev", "v1", "x.csv"), "is not tracked");
        assertThat(top(project)).isEqualTo(before);
        assertThat(Files.readString(project.resolve("mine.csv"))).isEqualTo("mine\n");

        mlv(project, "import-url", base + "/x.csv").ok();
        assertError(mlv(project, "update", "x.csv", "--rev", "v1"), "--rev applies to data from 'mlv data import'; x.csv.mlv comes from a URL");
    }

    @Test
    void getUrlDownloadsWithoutTrackingAndLsUrlLists() throws Exception {
        serve("/sets/train.csv", "a,b\n1,2\n", "\"v1\"", null);
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere")); // no repository needed
        assertThat(mlv(elsewhere, "get-url", base + "/sets/train.csv").ok().out())
                .contains("Downloaded " + base + "/sets/train.csv (1 file, 8 bytes) to train.csv");
        assertThat(Files.readString(elsewhere.resolve("train.csv"))).isEqualTo("a,b\n1,2\n");
        Files.createDirectories(elsewhere.resolve("into"));
        mlv(elsewhere, "get-url", base + "/sets/train.csv", "into", "-j", "2").ok(); // an existing folder: the file goes inside
        assertThat(Files.readString(elsewhere.resolve("into/train.csv"))).isEqualTo("a,b\n1,2\n");
        assertError(mlv(elsewhere, "get-url", base + "/sets/train.csv"), "'train.csv' already exists: choose another OUT");
        Files.writeString(elsewhere.resolve("into/train.csv"), "old");
        mlv(elsewhere, "get-url", base + "/sets/train.csv", "into", "--force").ok(); // replaced inside the folder
        assertThat(Files.readString(elsewhere.resolve("into/train.csv"))).isEqualTo("a,b\n1,2\n");
        assertError(mlv(elsewhere, "get-url", base + "/a/%2e%2e"), "ends without a file name: name the output (OUT)");
        assertError(mlv(elsewhere, "get-url", base + "/nope.csv", "n.csv"), "No file at " + base + "/nope.csv (HTTP 404)");
        assertThat(elsewhere.resolve("n.csv")).doesNotExist();
        try (var left = Files.list(elsewhere)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("train.csv", "into"); // no temporary folder left
        }

        Path src = Files.createDirectories(tmp.resolve("shared/images/cats"));
        Files.writeString(src.resolve("tom.txt"), "tom\n");
        Files.writeString(src.getParent().resolve("dog.txt"), "dog\n");
        mlv(elsewhere, "get-url", "../shared/images", "copy").ok();
        assertThat(Files.readString(elsewhere.resolve("copy/cats/tom.txt"))).isEqualTo("tom\n");
        assertThat(Files.readString(elsewhere.resolve("copy/dog.txt"))).isEqualTo("dog\n");
        assertThat(elsewhere.resolve("copy.mlv")).doesNotExist();
        assertError(mlv(elsewhere, "get-url", "../shared/images", "../shared/images/cats"), "into itself");

        assertThat(mlv(elsewhere, "ls-url", "../shared/images", "--size").ok().out().lines().toList())
                .containsExactly(String.format("%-24s  cats/", "4 bytes, 1 file"), String.format("%-24s  dog.txt", "4 bytes"));
        assertThat(mlv(elsewhere, "ls-url", "../shared/images", "-R").ok().out().lines().toList()).containsExactly("cats/tom.txt", "dog.txt");
        assertThat(mlv(elsewhere, "ls-url", base + "/sets/train.csv", "--json").ok().out())
                .contains("\"path\" : \"train.csv\"", "\"isdir\" : false", "\"size\" : 8");
        assertError(mlv(elsewhere, "ls-url", "../shared/missing"), "No such file or folder");
    }

    @Test
    void remoteUrlsNameAFolderOfADataRemote() throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store/raw"));
        Files.writeString(store.resolve("labels.csv"), "x\n");
        mlv(project, "remote add", "lake", "../store").ok(); // relative: against the top of the repository
        mlv(project, "import-url", "remote://lake/raw/labels.csv", "data/labels.csv").ok();
        PointerFile pf = PointerFile.read(project.resolve("data/labels.csv.mlv"));
        assertThat(pf.external().url()).as("the pointer keeps the short URL").isEqualTo("remote://lake/raw/labels.csv");
        assertThat(Files.readString(project.resolve("data/labels.csv"))).isEqualTo("x\n");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");
        Files.writeString(store.resolve("labels.csv"), "x\ny\n");
        assertThat(mlv(project, "status").ok().out()).contains("update available: data/labels.csv (remote://lake/raw/labels.csv changed");
        mlv(project, "update").ok();
        assertThat(Files.readString(project.resolve("data/labels.csv"))).isEqualTo("x\ny\n");
        assertThat(mlv(project.resolve("data"), "ls-url", "remote://lake").ok().out().lines().toList()).containsExactly("raw/");
        mlv(project.resolve("data"), "get-url", "remote://lake/raw", "copy").ok();
        assertThat(Files.readString(project.resolve("data/copy/labels.csv"))).isEqualTo("x\ny\n");

        assertError(mlv(project, "import-url", "remote://lake/../store/raw/labels.csv"), "'..' segment");
        assertError(mlv(project, "import-url", "remote://pond/raw/labels.csv"), "names no remote of this repository (known: lake)");
        assertError(mlv(tmp, "get-url", "remote://lake/raw/labels.csv"), "names a data remote: run inside the repository");

        // the imports keep the remote's name: renaming or removing it says which of them it leaves without a source
        assertThat(mlv(project, "remote rename", "lake", "pond").ok().out()).contains("remote lake is now pond",
                "note: 1 import(s) read from remote://lake/… (e.g. data/labels.csv.mlv): 'update' and fetching them from "
                        + "their source need a remote named lake again");
        assertThat(mlv(project, "remote rename", "pond", "lake").ok().out()).doesNotContain("note:");
        assertThat(mlv(project, "remote remove", "lake").ok().out()).contains("note: 1 import(s) read from remote://lake/");
    }

    @Test
    void toRemoteUploadsStraightToARemoteAndUpdateFollowsTheSource() throws Exception {
        serve("/sets/train.csv", "a,b\n1,2\n", "\"v1\"", null);
        Path store = tmp.resolve("store");
        mlv(project, "remote add", "store", store.toString()).ok();
        assertError(mlv(project, "import-url", base + "/sets/train.csv", "-r", "store"), "-r/--remote applies with --to-remote only");
        assertThat(project.resolve("train.csv.mlv")).doesNotExist();

        mlv(project, "import-url", base + "/sets/train.csv", "--to-remote", "-r", "store").ok();
        PointerFile v1 = PointerFile.read(project.resolve("train.csv.mlv"));
        assertThat(v1.external().etag()).isEqualTo("\"v1\"");
        assertThat(project.resolve("train.csv")).doesNotExist();
        assertThat(project.resolve(".mlv/cache/sha256")).isEmptyDirectory();
        assertThat(store.resolve("sha256/" + v1.outs().get(0).digest().substring(0, 2))).isNotEmptyDirectory();

        serve("/sets/train.csv", "a,b\n1,2\n3,4\n", "\"v2\"", null);
        assertThat(mlv(project, "update", "--to-remote", "-r", "store").ok().out()).contains("updated train.csv.mlv", "etag \"v1\" → etag \"v2\"");
        assertThat(project.resolve("train.csv")).doesNotExist();
        assertThat(project.resolve(".mlv/cache/sha256")).isEmptyDirectory();
        int got = gets.get();
        assertThat(mlv(project, "update", "--to-remote", "-r", "store").ok().out()).contains("is up to date");
        assertThat(gets.get()).as("an unchanged source is not downloaded again").isEqualTo(got);

        assertThat(mlv(project, "status", "--no-updates").ok().out()).contains("not in cache: train.csv", "'mlv data pull' downloads it");
        mlv(project, "pull", "-r", "store").ok();
        assertThat(Files.readString(project.resolve("train.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        Files.delete(project.resolve("train.csv"));
        assertThat(mlv(project, "status", "--no-updates").ok().out()).contains("deleted:  train.csv", "'mlv data checkout' restores it");
        mlv(project, "checkout").ok();
        assertThat(mlv(project, "status").ok().out()).contains("up to date");
    }

    @Test
    void toRemoteDoesNotSendALargeObjectTheRemoteHoldsAgain() throws Exception {
        byte[] big = new byte[3 << 20];
        new java.util.Random(7).nextBytes(big);
        Path source = Files.write(tmp.resolve("big.bin"), big);
        Path store = tmp.resolve("store");
        mlv(project, "remote add", "store", store.toString()).ok();
        mlv(project, "import-url", source.toString(), "one.bin", "--to-remote", "-r", "store").ok();
        String digest = PointerFile.read(project.resolve("one.bin.mlv")).outs().get(0).digest();
        Path object = store.resolve("sha256/" + digest.substring(0, 2) + "/" + digest.substring(2));
        Object inode = Files.getAttribute(object, "unix:ino");

        mlv(project, "import-url", source.toString(), "two.bin", "--to-remote", "-r", "store").ok();
        assertThat(PointerFile.read(project.resolve("two.bin.mlv")).outs().get(0).digest()).isEqualTo(digest);
        assertThat(Files.getAttribute(object, "unix:ino")).as("the object was not written again").isEqualTo(inode);
        mlv(project, "pull", "-r", "store").ok();
        assertThat(Files.readAllBytes(project.resolve("two.bin"))).isEqualTo(big);
    }

    @Test
    void frozenImportsAreLeftAloneByUpdateAndStatus() throws Exception {
        Path source = Files.writeString(tmp.resolve("labels.csv"), "v1\n");
        mlv(project, "import-url", source.toString(), "data/labels.csv").ok();
        Files.writeString(project.resolve("mine.csv"), "mine\n");
        mlv(project, "add", "mine.csv").ok();
        assertError(mlv(project, "freeze", "mine.csv"), "Cannot freeze mine.csv.mlv: it was added here, not imported");
        assertThat(mlv(project, "freeze", "data/labels.csv").ok().out()).contains("frozen data/labels.csv.mlv");
        assertThat(PointerFile.read(project.resolve("data/labels.csv.mlv")).frozen()).isTrue();

        Files.writeString(source, "v2\n");
        assertThat(mlv(project, "status").ok().out()).contains("up to date").doesNotContain("update available");
        assertThat(mlv(project, "update").ok().out()).contains("skipping 1 frozen import(s), e.g. data/labels.csv.mlv");
        assertError(mlv(project, "update", "data/labels.csv"), "data/labels.csv.mlv is frozen: 'mlv data unfreeze data/labels.csv.mlv'");
        assertThat(Files.readString(project.resolve("data/labels.csv"))).isEqualTo("v1\n");
        mlv(project, "move", "data/labels.csv", "labels.csv").ok();
        assertThat(PointerFile.read(project.resolve("labels.csv.mlv")).frozen()).as("a move keeps it frozen").isTrue();

        assertThat(mlv(project, "unfreeze", "labels.csv.mlv").ok().out()).contains("unfrozen labels.csv.mlv");
        assertThat(mlv(project, "status").ok().out()).contains("update available: labels.csv");
        mlv(project, "update").ok();
        assertThat(Files.readString(project.resolve("labels.csv"))).isEqualTo("v2\n");
    }

    @Test
    void pointersWithAUrlSourceRoundTrip() {
        PointerFile.External e = PointerFile.External.of("s3://b/k.csv", new UrlReader.Version("\"e\"", "Mon", 3L, null));
        assertThat(e.modified()).as("the ETag alone names the version").isNull();
        PointerFile pf = new PointerFile(java.util.List.of(new PointerFile.Out("k.csv", "a".repeat(64), 3, null)), null, e);
        assertThat(PointerFile.parse(pf.toBytes(), "k.csv.mlv")).isEqualTo(pf);
        assertThat(new String(pf.toBytes(), StandardCharsets.UTF_8)).contains("deps:\n  - path: s3://b/k.csv\n    etag: '\"e\"'\n    size: 3\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PointerFile.parse("outs:\n- path: k\n  digest: ".concat("a".repeat(64))
                        .concat("\n  size: 1\ndeps:\n- path: https://h/k\n").getBytes(StandardCharsets.UTF_8), "k.mlv"))
                .hasMessageContaining("Malformed pointer file k.mlv: in 'deps': no 'etag', 'modified' or 'digest'");
    }

    private static java.util.List<String> top(Path dir) throws java.io.IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static org.assertj.core.api.AbstractStringAssert<?> assertError(DataTestKit.Result r, String message) {
        assertThat(r.code()).as(r.err()).isNotZero();
        assertThat(r.err().lines().filter(l -> l.startsWith("mlv: error:")).count()).as(r.err()).isEqualTo(1);
        return assertThat(r.err()).contains(message);
    }
}
