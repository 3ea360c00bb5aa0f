package dev.mlv.cli.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.data.Digests;
import dev.mlv.data.Git;
import dev.mlv.data.PointerFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static dev.mlv.cli.data.DataTestKit.deleteTree;
import static dev.mlv.cli.data.DataTestKit.git;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static dev.mlv.cli.data.DataTestKit.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv data get} and {@code mlv data list}: a source repository with a local remote and two commits (the file
 * changes between them, the directory does not); commands run from a folder that is no repository at all, after the
 * source's cache and workspace data are deleted, so everything must come from the remote.
 */
class DataGetTest {
    @TempDir
    Path tmp;

    Path src;
    Path remote;
    Path elsewhere;
    String v1;
    String v2;
    byte[] train1;
    byte[] train2;
    Map<String, String> images;
    byte[] imageA;
    Map<String, String> sourceBefore;

    @BeforeEach
    void sourceRepositoryWithTwoVersions() throws Exception {
        src = DataTestKit.newRepo(tmp, "src");
        remote = tmp.resolve("remote");
        Random rnd = new Random(42);
        train1 = new byte[200_000];
        rnd.nextBytes(train1);
        Files.createDirectories(src.resolve("data/images/sub"));
        Files.write(src.resolve("data/train.csv"), train1);
        imageA = "image a\n".getBytes();
        Files.write(src.resolve("data/images/a.txt"), imageA);
        byte[] b = new byte[50_000];
        rnd.nextBytes(b);
        Files.write(src.resolve("data/images/sub/b.bin"), b);
        Files.writeString(src.resolve("data/images/sub/c.txt"), "c\n");
        images = relativeTree(src.resolve("data/images"));
        assertThat(images).hasSize(3);

        mlv(src, "add", "data/train.csv", "data/images").ok();
        mlv(src, "remote add", "origin", "../remote", "--default").ok(); // relative: resolved against the source
        mlv(src, "remote add", "abs", remote.toString()).ok();
        git(src, "add", "-A");
        git(src, "commit", "-q", "-m", "v1");
        mlv(src, "push").ok();
        v1 = git(src, "rev-parse", "HEAD");
        git(src, "tag", "v1.0");
        git(src, "branch", "first");

        train2 = new byte[300_000];
        rnd.nextBytes(train2);
        Files.write(src.resolve("data/train.csv"), train2);
        mlv(src, "add", "data/train.csv").ok();
        mlv(src, "push").ok();
        git(src, "commit", "-q", "-am", "v2");
        v2 = git(src, "rev-parse", "HEAD");
        assertThat(v2).isNotEqualTo(v1);

        // from here on only the remote has the data
        deleteTree(src.resolve(".mlv/cache"));
        deleteTree(src.resolve("data/images"));
        Files.delete(src.resolve("data/train.csv"));
        sourceBefore = tree(src, ".git", ".mlv", "data");

        elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        assertThat(new Git(elsewhere).repositoryRoot()).as("the gets run outside any git repository").isNull();
    }

    @Test
    void getsTheFileAtHeadOrAtAnyRevisionFromALocalRepository() throws Exception {
        DataTestKit.Result head = mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x").ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("x"))).isEqualTo(train2);
        assertThat(head.out()).contains("Downloaded data/train.csv (1 file, 293.0 KiB) from " + src + "@" + v2.substring(0, 7) + " to x\n");

        mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x1", "--rev", v1, "-j", "1").ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("x1"))).isEqualTo(train1);
        mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x2", "--rev", "v1.0").ok(); // a tag
        assertThat(Files.readAllBytes(elsewhere.resolve("x2"))).isEqualTo(train1);
        mlv(elsewhere, "get", src.toString(), "./data/train.csv.mlv", "-o", "x3", "--rev", "first").ok(); // a branch; the pointer's name
        assertThat(Files.readAllBytes(elsewhere.resolve("x3"))).isEqualTo(train1);

        mlv(elsewhere, "get", src.toString(), "data/train.csv").ok(); // default OUT: PATH's last segment
        assertThat(Files.readAllBytes(elsewhere.resolve("train.csv"))).isEqualTo(train2);

        assertThat(listing(elsewhere)).as("no pointer files, no temp folders left").containsExactly("train.csv", "x", "x1", "x2", "x3");
        assertThat(tree(src, ".git", ".mlv", "data")).as("the source repository is not modified").isEqualTo(sourceBefore);
    }

    @Test
    void getsADirectoryAsAnIdenticalTree() throws Exception {
        DataTestKit.Result r = mlv(elsewhere, "get", src.toString(), "data/images").ok();
        assertThat(relativeTree(elsewhere.resolve("images"))).isEqualTo(images);
        assertThat(r.out()).contains("Downloaded data/images (3 files, ");

        mlv(elsewhere, "get", src.toString(), "data/images", "-o", "deep/er/imgs", "--rev", v1).ok(); // parents are made
        assertThat(relativeTree(elsewhere.resolve("deep/er/imgs"))).isEqualTo(images);

        JsonNode json = new ObjectMapper().readTree(mlv(elsewhere, "get", src.toString(), "data/images", "-o", "j", "--json").ok().out());
        assertThat(json.get("commit").asText()).isEqualTo(v2);
        assertThat(json.get("files").asInt()).isEqualTo(3);
        assertThat(json.get("directory").asBoolean()).isTrue();
        assertThat(json.get("remote").asText()).isEqualTo(remote.toString());
        assertThat(relativeTree(elsewhere.resolve("j"))).isEqualTo(images);

        assertThat(listing(elsewhere)).containsExactly("deep", "images", "j");
        assertThat(tree(src, ".git", ".mlv", "data")).isEqualTo(sourceBefore);
    }

    @Test
    void getsOnlyTheFileOrSubFolderAskedForInsideATrackedDirectory() throws Exception {
        // only the part asked for is downloaded: the other files of the directory may be missing from the remote
        Files.delete(objectIn(remote, images.get("sub/b.bin")));

        DataTestKit.Result r = mlv(elsewhere, "get", src.toString(), "data/images/a.txt").ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("a.txt"))).isEqualTo(imageA);
        assertThat(r.out()).contains("Downloaded data/images/a.txt (1 file, 8 bytes)");
        mlv(elsewhere, "get", src.toString(), "data/images/sub/c.txt", "-o", "c", "--rev", v1).ok();
        assertThat(Files.readString(elsewhere.resolve("c"))).isEqualTo("c\n");

        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images/sub", "-o", "s"), 1, "is not in remote",
                images.get("sub/b.bin"));
        Files.write(objectIn(remote, images.get("sub/b.bin")), "not the bytes".getBytes());
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images/sub", "-o", "s"), 1, "corrupt", images.get("sub/b.bin"));

        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images/nope"), 1,
                "No 'nope' in the tracked directory 'data/images' at HEAD (" + v2.substring(0, 7) + ") (it has 3 file(s))");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images/su"), 1, "No 'su' in the tracked directory");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/train.csv/x"), 1, "'data/train.csv' is a tracked file");
        assertThat(listing(elsewhere)).containsExactly("a.txt", "c");
        assertThat(tree(src, ".git", ".mlv", "data")).isEqualTo(sourceBefore);
    }

    @Test
    void getsASubFolderOfATrackedDirectory() throws Exception {
        mlv(elsewhere, "get", src.toString(), "data/images/sub").ok();
        Map<String, String> expected = new TreeMap<>();
        images.forEach((k, v) -> {
            if (k.startsWith("sub/")) expected.put(k.substring(4), v);
        });
        assertThat(relativeTree(elsewhere.resolve("sub"))).isEqualTo(expected).hasSize(2);
        JsonNode json = new ObjectMapper().readTree(mlv(elsewhere, "get", src.toString(), "data/images/sub/", "-o", "j", "--json").ok().out());
        assertThat(json.get("files").asInt()).isEqualTo(2);
        assertThat(json.get("directory").asBoolean()).isTrue();
    }

    @Test
    void otherUrlsAreClonedAndARelativeRemoteIsResolvedAgainstTheClone() throws Exception {
        String url = src.toUri().toString(); // file:///…/src/: git clones it
        assertThat(url).startsWith("file:");
        DataTestKit.Result r = mlv(elsewhere, "get", url, "data/train.csv", "-r", "abs").ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("train.csv"))).isEqualTo(train2);
        assertThat(r.err()).contains("cloning " + url);
        assertThat(r.out()).contains("from " + url + "@" + v2.substring(0, 7) + " to train.csv");

        mlv(elsewhere, "get", url, "data/train.csv", "-r", "abs", "-o", "old", "--rev", "first").ok(); // not the clone's default branch
        assertThat(Files.readAllBytes(elsewhere.resolve("old"))).isEqualTo(train1);
        mlv(elsewhere, "get", url, "data/images", "-r", "abs", "-o", "imgs", "--rev", v1.substring(0, 10)).ok();
        assertThat(relativeTree(elsewhere.resolve("imgs"))).isEqualTo(images);

        // the default remote is '../remote': beside the clone, where there is no remote
        DataTestKit.Result relative = mlv(elsewhere, "get", url, "data/train.csv", "-o", "rel");
        assertOneError(relative, 1, "Remote 'origin'", "does not exist", "resolved against the cloned repository");

        DataTestKit.Result noRepo = mlv(elsewhere, "get", tmp.resolve("no-such-repo").toUri().toString(), "data/train.csv", "-o", "nr");
        assertOneError(noRepo, 2, "Cannot clone", "no-such-repo");

        assertThat(listing(elsewhere)).as("clones removed").containsExactly("imgs", "old", "train.csv");
    }

    @Test
    void anExistingOutIsNeverTouched() throws Exception {
        Files.writeString(elsewhere.resolve("x"), "mine");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x"), 1,
                "'x' already exists: choose another OUT, or remove it first");
        assertThat(Files.readString(elsewhere.resolve("x"))).isEqualTo("mine");

        Files.createDirectories(elsewhere.resolve("images"));
        Files.writeString(elsewhere.resolve("images/keep.txt"), "keep");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images"), 1, "'images' already exists");
        assertThat(listing(elsewhere.resolve("images"))).containsExactly("keep.txt");
        assertThat(listing(elsewhere)).containsExactly("images", "x");
    }

    @Test
    void forceReplacesAnExistingOutOnlyOnceTheNewDataIsComplete() throws Exception {
        Files.writeString(elsewhere.resolve("x"), "mine");
        mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x", "--force").ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("x"))).isEqualTo(train2);

        Files.createDirectories(elsewhere.resolve("images"));
        Files.writeString(elsewhere.resolve("images/stale.txt"), "stale");
        mlv(elsewhere, "get", src.toString(), "data/images", "-f").ok();
        assertThat(relativeTree(elsewhere.resolve("images"))).isEqualTo(images);

        // a failed download leaves what was there
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/nope.csv", "-o", "x", "-f"), 1, "No data/nope.csv.mlv");
        assertThat(Files.readAllBytes(elsewhere.resolve("x"))).isEqualTo(train2);
        // never the folder the command runs in, nor one above it
        Path inside = Files.createDirectories(elsewhere.resolve("images/sub"));
        assertOneError(mlv(inside, "get", src.toString(), "data/train.csv", "-o", "..", "-f"), 2,
                "Will not replace '..': it holds the current folder");
        assertThat(listing(elsewhere)).containsExactly("images", "x"); // nothing set aside is left
    }

    @Test
    void unknownPathRevisionRemoteOrRepositoryFailWithOneLineAndCreateNothing() throws Exception {
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/nope.csv"), 1,
                "No data/nope.csv.mlv at HEAD (" + v2.substring(0, 7) + ") in '" + src + "'");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/nope.csv", "-o", "a/b/c"), 1, "No data/nope.csv.mlv");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/train.csv", "--rev", "no-such-rev"), 2,
                "Unknown revision 'no-such-rev'");
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/train.csv", "-r", "nope"), 2,
                "No remote 'nope' in the .mlv/config of '" + src + "'", "it lists abs, origin");
        assertOneError(mlv(elsewhere, "get", elsewhere.toString(), "data/train.csv"), 2, "is not a git repository");
        assertOneError(mlv(elsewhere, "get", src.resolve("data").toString(), "train.csv"), 2, "is not the top of a git repository");
        assertOneError(mlv(elsewhere, "get", src.toString(), "../outside"), 2, "Invalid PATH");
        assertThat(listing(elsewhere)).isEmpty();
        assertThat(tree(src, ".git", ".mlv", "data")).isEqualTo(sourceBefore);
    }

    @Test
    void aCorruptOrMissingObjectFailsTheGetAndLeavesNoOutput() throws Exception {
        String fileDigest = Digests.sha256(train2);
        DataLocalCycleTest.flipByte(objectIn(remote, fileDigest));
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/train.csv", "-o", "x"), 1, "corrupt", fileDigest);
        assertThat(elsewhere.resolve("x")).doesNotExist();

        String a = Digests.sha256(imageA);
        DataLocalCycleTest.flipByte(objectIn(remote, a));
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images", "-o", "sub/imgs"), 1, "corrupt", a);
        Files.delete(objectIn(remote, a));
        assertOneError(mlv(elsewhere, "get", src.toString(), "data/images"), 1, "is not in remote", a);
        assertThat(listing(elsewhere)).as("no partial output, no temp folder, no parent made for it").isEmpty();

        // the old version is intact on the remote: still fine
        mlv(elsewhere, "get", src.toString(), "data/train.csv", "--rev", v1).ok();
        assertThat(Files.readAllBytes(elsewhere.resolve("train.csv"))).isEqualTo(train1);
        assertThat(PointerFile.parse(git(src, "show", v1 + ":data/train.csv.mlv").getBytes(), "v1").outs().get(0).digest())
                .isEqualTo(Digests.sha256(train1));
    }

    @Test
    void listsGitsFilesAndTrackedDataOfAFolderAtARevision() throws Exception {
        List<String> tempBefore = listing(Path.of(System.getProperty("java.io.tmpdir"))).stream()
                .filter(n -> n.startsWith("mlv-data-list-")).toList();
        assertThat(mlv(elsewhere, "list", src.toString()).ok().out()).isEqualTo(".mlv/\ndata/\n");
        assertThat(mlv(elsewhere, "list", src.toString(), "data").ok().out())
                .isEqualTo(".gitignore\nimages.mlv\nimages/\ntrain.csv\ntrain.csv.mlv\n");
        assertThat(mlv(elsewhere, "list", src.toString(), "data", "--data-only", "--size").ok().out().lines().toList())
                .containsExactly(String.format("%-24s  images/", DataGetCommand.humanSize(imageA.length + 50_000 + 2) + ", 3 files"),
                        String.format("%-24s  train.csv", "293.0 KiB"));
        assertThat(mlv(elsewhere, "list", src.toString(), "data/train.csv", "--rev", "v1.0", "--show-hash").ok().out())
                .isEqualTo(Digests.sha256(train1) + "  train.csv\n");

        JsonNode json = new ObjectMapper().readTree(mlv(elsewhere, "list", src.toString(), "data", "--json").ok().out());
        assertThat(json.get("commit").asText()).isEqualTo(v2);
        JsonNode images = json.get("entries").get(2);
        assertThat(images.get("path").asText()).isEqualTo("images");
        assertThat(images.get("isdir").asBoolean()).isTrue();
        assertThat(images.get("isdata").asBoolean()).isTrue();
        assertThat(images.get("nfiles").asInt()).isEqualTo(3);
        assertThat(images.get("digest").asText()).endsWith(".dir");
        assertThat(json.get("entries").get(0).get("isdata").asBoolean()).as(".gitignore").isFalse();
        assertThat(listing(elsewhere)).as("a listing writes nothing").isEmpty();
        assertThat(listing(Path.of(System.getProperty("java.io.tmpdir"))).stream().filter(n -> n.startsWith("mlv-data-list-")))
                .as("temporary folders removed").isEqualTo(tempBefore);
        assertThat(tree(src, ".git", ".mlv", "data")).isEqualTo(sourceBefore);
    }

    @Test
    void listsInsideTrackedDirectoriesFromTheirManifestOnTheRemote() throws Exception {
        assertThat(mlv(elsewhere, "list", src.toString(), "data/images").ok().out()).isEqualTo("a.txt\nsub/\n");
        assertThat(mlv(elsewhere, "list", src.toString(), "data/images/sub", "--show-hash").ok().out())
                .isEqualTo(images.get("sub/b.bin") + "  b.bin\n" + images.get("sub/c.txt") + "  c.txt\n");
        assertThat(mlv(elsewhere, "list", src.toString(), "data", "-R", "--data-only").ok().out())
                .isEqualTo("images/a.txt\nimages/sub/b.bin\nimages/sub/c.txt\ntrain.csv\n");
        assertThat(mlv(elsewhere, "list", src.toUri().toString(), "data/images/sub/c.txt", "-r", "abs").ok().out()).isEqualTo("c.txt\n");

        // only the manifest is needed: the files themselves may be missing from the remote
        Files.delete(objectIn(remote, images.get("sub/b.bin")));
        assertThat(mlv(elsewhere, "list", src.toString(), "data/images", "-R").ok().out()).isEqualTo("a.txt\nsub/b.bin\nsub/c.txt\n");

        assertOneError(mlv(elsewhere, "list", src.toString(), "data/images/nope"), 1, "No 'nope' in the tracked directory 'data/images'");
        assertOneError(mlv(elsewhere, "list", src.toString(), "data/nope"), 1, "'data/nope' is not data tracked by mlv there");
        assertOneError(mlv(elsewhere, "list", src.toString(), "../up"), 2, "Invalid PATH");
        String manifest = PointerFile.parse(git(src, "show", "HEAD:data/images.mlv").getBytes(), "p").outs().get(0).digest();
        DataLocalCycleTest.flipByte(objectIn(remote, manifest));
        assertOneError(mlv(elsewhere, "list", src.toString(), "data/images"), 1, "Cannot get the manifest of data/images", "corrupt");
        assertThat(mlv(elsewhere, "list", src.toString(), "data").ok().out()).as("a listing without manifests needs no remote")
                .contains("images/\n");
        assertThat(listing(elsewhere)).isEmpty();
    }

    @Test
    void humanSizes() {
        assertThat(DataGetCommand.humanSize(1)).isEqualTo("1 byte");
        assertThat(DataGetCommand.humanSize(1023)).isEqualTo("1023 bytes");
        assertThat(DataGetCommand.humanSize(12_897_485)).isEqualTo("12.3 MiB");
        assertThat(DataGetCommand.humanSize(3L << 30)).isEqualTo("3.0 GiB");
    }

    /** Exactly one {@code mlv: error:} line that contains every fragment (and at most a hint besides); nothing on stdout. */
    private static void assertOneError(DataTestKit.Result r, int code, String... fragments) {
        assertThat(r.code()).as("exit code; stderr=%s", r.err()).isEqualTo(code);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("mlv: error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        assertThat(errors.get(0)).contains(fragments);
        assertThat(r.err().lines().filter(l -> !l.startsWith("mlv: ") && !l.startsWith("hint: ")).toList()).as(r.err()).isEmpty();
        assertThat(r.out()).isEmpty();
    }

    private static Path objectIn(Path remote, String digest) {
        return remote.resolve("sha256/" + digest.substring(0, 2) + "/" + digest.substring(2));
    }

    private static List<String> listing(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** Path relative to {@code dir} → sha256, of every file under it. */
    private static Map<String, String> relativeTree(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        tree(dir.getParent(), dir.getFileName().toString()).forEach((k, v) -> out.put(Path.of(k).subpath(1, Path.of(k).getNameCount()).toString(), v));
        return out;
    }
}
