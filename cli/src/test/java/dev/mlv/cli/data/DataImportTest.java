package dev.mlv.cli.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.client.DatasetRef;
import dev.mlv.data.PointerFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static dev.mlv.cli.data.DataTestKit.deleteTree;
import static dev.mlv.cli.data.DataTestKit.git;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static dev.mlv.cli.data.DataTestKit.tree;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code mlv data import} and {@code mlv data update}: a registry repository (a CSV and a directory of images, on its
 * own local remote, with the CSV changed in a second commit) and a project repository that imports from it.
 */
class DataImportTest {
    @TempDir
    Path tmp;

    Path registry;
    Path project;
    String v1;
    String v2;

    @BeforeEach
    void registryWithTwoVersionsOfItsCsv() throws Exception {
        registry = DataTestKit.newRepo(tmp, "registry");
        Files.createDirectories(registry.resolve("sets/images/cats"));
        Files.writeString(registry.resolve("sets/iris.csv"), "a,b\n1,2\n");
        Files.writeString(registry.resolve("sets/images/dog.txt"), "dog\n");
        Files.writeString(registry.resolve("sets/images/cats/tom.txt"), "tom\n");
        mlv(registry, "add", "sets/iris.csv", "sets/images").ok();
        mlv(registry, "remote add", "origin", "../registry-remote", "--default").ok();
        mlv(registry, "push").ok();
        git(registry, "add", "-A");
        git(registry, "commit", "-q", "-m", "v1");
        git(registry, "tag", "v1");
        v1 = git(registry, "rev-parse", "HEAD");
        Files.writeString(registry.resolve("sets/iris.csv"), "a,b\n1,2\n3,4\n");
        mlv(registry, "add", "sets/iris.csv").ok();
        mlv(registry, "push").ok();
        git(registry, "commit", "-q", "-am", "v2");
        v2 = git(registry, "rev-parse", "HEAD");
        project = DataTestKit.newRepo(tmp, "project");
    }

    @Test
    void importsDataWithAPointerThatRecordsItsSource() throws Exception {
        DataTestKit.Result r = mlv(project, "import", registry.toString(), "sets/iris.csv").ok();
        assertThat(r.out()).contains("imported sets/iris.csv from ../registry@" + v2.substring(0, 7) + " → iris.csv.mlv");
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        PointerFile.Import source = PointerFile.read(project.resolve("iris.csv.mlv")).source();
        assertThat(source).isEqualTo(new PointerFile.Import("sets/iris.csv", "../registry", null, v2, null));

        mlv(project, "import", registry.toString(), "sets/images", "-o", "data/images", "--rev", "v1", "-j", "2").ok();
        assertThat(tree(project, "data/images")).hasSize(2).containsKey("data/images/cats/tom.txt");
        assertThat(PointerFile.read(project.resolve("data/images.mlv")).source())
                .isEqualTo(new PointerFile.Import("sets/images", "../../registry", "v1", v1, null));
        mlv(project, "import", registry.toString(), "sets/images/cats/tom.txt", "-o", "tom.txt", "-r", "origin").ok();
        assertThat(Files.readString(project.resolve("tom.txt"))).isEqualTo("tom\n");
        assertThat(Files.readString(project.resolve(".gitignore"))).contains("/iris.csv\n", "/tom.txt\n");
        assertThat(Files.readString(project.resolve("data/.gitignore"))).contains("/images\n");
        assertThat(mlv(project, "status").ok().out()).contains("up to date");

        // refusals change nothing
        Map<String, String> before = tree(project, "iris.csv", "iris.csv.mlv", "data", "tom.txt", "tom.txt.mlv", ".gitignore");
        assertOneError(mlv(project, "import", registry.toString(), "sets/iris.csv"), 1, "'iris.csv' already exists");
        assertOneError(mlv(project, "import", registry.toString(), "sets/iris.csv", "-o", "../elsewhere.csv"), 2, "outside the repository");
        assertOneError(mlv(project, "import", registry.toString(), "sets/iris.csv", "-o", "data/images/x.csv"), 2,
                "inside the tracked directory data/images");
        assertOneError(mlv(project, "import", registry.toString(), "sets/nope.csv"), 1, "not data tracked by mlv there");
        assertOneError(mlv(project, "add", "iris.csv"), 2, "is imported from ../registry (sets/iris.csv)", "mlv data update");
        assertThat(tree(project, "iris.csv", "iris.csv.mlv", "data", "tom.txt", "tom.txt.mlv", ".gitignore")).isEqualTo(before);
        assertThat(listing(project.resolve(".mlv/tmp"))).as("clones and temporary folders removed").isEmpty();

        // a run that reads imported data records where it came from
        var json = new ObjectMapper().readTree(DatasetRef.fromPointer(project.resolve("iris.csv.mlv")).source());
        assertThat(json.at("/imported_from/repo").asText()).isEqualTo("../registry");
        assertThat(json.at("/imported_from/rev_lock").asText()).isEqualTo(v2);
    }

    @Test
    void updateFollowsTheRevisionAndNeverOverwritesLocalChanges() throws Exception {
        assertThat(mlv(project, "update").ok().out()).contains("Nothing to update");
        mlv(project, "import", registry.toString(), "sets/iris.csv", "--rev", "v1").ok();
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n");
        assertThat(mlv(project, "update").ok().out()).contains("iris.csv.mlv is up to date with ../registry@" + v1.substring(0, 7));

        DataTestKit.Result moved = mlv(project, "update", "iris.csv", "--rev", "main").ok();
        assertThat(moved.out()).contains("updated iris.csv.mlv: sets/iris.csv from " + v1.substring(0, 7) + " to ../registry@"
                + v2.substring(0, 7) + " (main)");
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        assertThat(PointerFile.read(project.resolve("iris.csv.mlv")).source().rev()).isEqualTo("main");

        // a local change is never overwritten silently
        Files.writeString(project.resolve("iris.csv"), "mine\n");
        assertOneError(mlv(project, "update", "iris.csv", "--rev", "v1"), 1, "uncommitted changes to iris.csv");
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("mine\n");
        assertThat(PointerFile.read(project.resolve("iris.csv.mlv")).source().revLock()).isEqualTo(v2);
        mlv(project, "update", "iris.csv", "--rev", "v1", "--force").ok();
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n");

        // the pointer follows a move (its relative source too); own data cannot be updated
        mlv(project, "move", "iris.csv", "sub/iris.csv").ok();
        assertThat(PointerFile.read(project.resolve("sub/iris.csv.mlv")).source())
                .isEqualTo(new PointerFile.Import("sets/iris.csv", "../../registry", "v1", v1, null));
        mlv(project, "update", "sub/iris.csv", "--rev", "main").ok();
        assertThat(Files.readString(project.resolve("sub/iris.csv"))).isEqualTo("a,b\n1,2\n3,4\n");
        Files.writeString(project.resolve("own.csv"), "own\n");
        mlv(project, "add", "own.csv").ok();
        assertOneError(mlv(project, "update", "own.csv"), 2, "'own.csv.mlv' is not imported");
        assertOneError(mlv(project, "update", "sub/iris.csv", "--rev", "no-such-tag"), 2, "Unknown revision 'no-such-tag'");

        // both kinds of import changed, one update: each is reported, and the git hint comes once
        Path labels = Files.writeString(tmp.resolve("labels.csv"), "x\n");
        mlv(project, "import-url", labels.toString()).ok();
        Files.writeString(labels, "y\n");
        Files.writeString(registry.resolve("sets/iris.csv"), "a,b\n7,8\n");
        mlv(registry, "add", "sets/iris.csv").ok();
        mlv(registry, "push").ok();
        git(registry, "commit", "-q", "-am", "v3");
        String out = mlv(project, "update").ok().out();
        assertThat(out).contains("updated sub/iris.csv.mlv", "updated labels.csv.mlv");
        assertThat(out.split("To track the changes with git", -1)).hasSize(2);
    }

    @Test
    void statusSaysWhichImportsHaveAnUpdateInTheirSource() throws Exception {
        mlv(project, "import", registry.toString(), "sets/images", "--rev", "v1").ok();
        // a source by URL (asked with git ls-remote), whose data remote has an absolute path
        mlv(registry, "remote add", "abs", tmp.resolve("registry-remote").toString()).ok();
        git(registry, "commit", "-q", "-am", "abs remote");
        v2 = git(registry, "rev-parse", "HEAD");
        mlv(project, "import", registry.toUri().toString(), "sets/images/cats/tom.txt", "-o", "tom.txt", "-r", "abs").ok();
        mlv(project, "import", registry.toString(), "sets/iris.csv").ok();
        assertThat(mlv(project, "status").ok().out()).isEqualTo("Data and pointers are up to date.\n");

        Files.writeString(registry.resolve("sets/iris.csv"), "a,b\n5,6\n");
        mlv(registry, "add", "sets/iris.csv").ok();
        mlv(registry, "push").ok();
        git(registry, "commit", "-q", "-am", "v3");
        String v3 = git(registry, "rev-parse", "HEAD");
        DataTestKit.Result status = mlv(project, "status").ok();
        assertThat(status.out()).contains("update available: iris.csv (HEAD moved from " + v2.substring(0, 7) + " to "
                + v3.substring(0, 7) + "; run 'mlv data update iris.csv.mlv')", "update available: tom.txt (HEAD moved")
                .doesNotContain("images");
        assertThat(mlv(project, "status", "--json").ok().out()).contains("\"path\" : \"iris.csv\"", "\"status\" : \"update available\"");
        assertThat(mlv(project, "status", "--no-updates").ok().out()).as("sources not asked").isEqualTo("Data and pointers are up to date.\n");

        mlv(project, "update", "iris.csv", "tom.txt").ok();
        assertThat(mlv(project, "status").ok().out()).isEqualTo("Data and pointers are up to date.\n");
        git(registry, "tag", "-f", "v1", v3);
        assertThat(mlv(project, "status").ok().out()).as("a tag moved").isEqualTo("update available: images (v1 moved from "
                + v1.substring(0, 7) + " to " + v3.substring(0, 7) + "; run 'mlv data update images.mlv')\n");

        // a source that cannot be asked is a warning; the status of the data itself still comes
        Files.move(registry, tmp.resolve("gone"));
        DataTestKit.Result unreachable = mlv(project, "status").ok();
        assertThat(unreachable.err()).contains("mlv: warning: cannot check the source of iris.csv:", "mlv: warning: cannot check the source of tom.txt:");
        assertThat(unreachable.out()).isEqualTo("Data and pointers are up to date.\n");
        assertThat(mlv(project, "status", "--no-updates").ok().err()).isEmpty();
    }

    @Test
    void pullDownloadsImportsFromYourRemoteWhenPushedElseFromTheirSource() throws Exception {
        mlv(project, "import", registry.toString(), "sets/images").ok();
        mlv(project, "import", registry.toString(), "sets/iris.csv", "--rev", "v1").ok();
        Map<String, String> data = tree(project, "images", "iris.csv");
        git(project, "add", "-A");
        git(project, "commit", "-q", "-m", "imports");

        // a clone without a remote of its own: everything from the registry's remote, at the locked commits
        Path clone = tmp.resolve("clone");
        git(tmp, "clone", "-q", project.toString(), clone.toString());
        assertThat(mlv(clone, "pull").ok().out()).contains("(imports' sources)");
        assertThat(tree(clone, "images", "iris.csv")).isEqualTo(data);

        // pushed to the project's remote, the imports no longer need the registry's
        mlv(project, "remote add", "mine", "../project-remote", "--default").ok();
        git(project, "commit", "-q", "-am", "remote");
        mlv(project, "push").ok();
        Files.move(tmp.resolve("registry-remote"), tmp.resolve("registry-remote.away"));
        Path second = tmp.resolve("second");
        git(tmp, "clone", "-q", project.toString(), second.toString());
        mlv(second, "pull").ok();
        assertThat(tree(second, "images", "iris.csv")).isEqualTo(data);

        // neither has them: a clear failure naming the source's remote
        deleteTree(tmp.resolve("project-remote"));
        Path third = tmp.resolve("third");
        git(tmp, "clone", "-q", project.toString(), third.toString());
        DataTestKit.Result failed = mlv(third, "pull");
        assertThat(failed.code()).isEqualTo(1);
        assertThat(failed.err()).contains("Remote 'origin' of '../registry'", "does not exist");
        assertThat(tree(third, "images", "iris.csv")).isEmpty();
    }

    @Test
    void noDownloadWritesOnlyThePointerAndPullBringsTheData() throws Exception {
        mlv(project, "import", registry.toString(), "sets/iris.csv", "--rev", "v1", "--no-download").ok();
        mlv(project, "import", registry.toString(), "sets/images", "-o", "images", "--no-download").ok();
        assertThat(PointerFile.read(project.resolve("iris.csv.mlv")).source().revLock()).isEqualTo(v1);
        assertThat(project.resolve("iris.csv")).doesNotExist();
        assertThat(project.resolve("images")).doesNotExist();
        assertThat(Files.readString(project.resolve(".gitignore"))).contains("/iris.csv\n", "/images\n");
        assertThat(mlv(project, "status", "--no-updates").ok().out()).contains("not in cache: iris.csv", "not in cache: images");

        assertThat(mlv(project, "pull").ok().out()).contains("fetched 4 object(s)"); // the CSV, two images and their manifest
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n");
        assertThat(tree(project, "images")).hasSize(2);

        // the pointer moves to the revision's new commit; the data follows with pull
        assertThat(mlv(project, "update", "iris.csv", "--rev", "HEAD", "--no-download").ok().out())
                .contains("updated iris.csv.mlv: sets/iris.csv from " + v1.substring(0, 7));
        assertThat(PointerFile.read(project.resolve("iris.csv.mlv")).source().revLock()).isEqualTo(v2);
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n");
        mlv(project, "pull").ok();
        assertThat(Files.readString(project.resolve("iris.csv"))).isEqualTo("a,b\n1,2\n3,4\n");

        Path source = Files.writeString(tmp.resolve("labels.csv"), "x\n");
        mlv(project, "import-url", source.toString(), "labels.csv").ok();
        assertThat(mlv(project, "update", "labels.csv", "--no-download").err())
                .contains("--no-download applies to data from 'mlv data import'; labels.csv.mlv comes from a URL");
        assertThat(mlv(project, "update", "--no-download").ok().out()).contains("skipping 1 import(s) --no-download does not apply to");
    }

    @Test
    void aMalformedImportIsAOneLineError() throws Exception {
        Files.writeString(project.resolve("x.csv"), "x\n");
        Files.writeString(project.resolve("x.csv.mlv"), "outs:\n- path: x.csv\n  digest: " + "a".repeat(64)
                + "\n  size: 2\ndeps:\n- path: sets/x.csv\n  repo:\n    url: ../registry\n    rev_lock: HEAD\n");
        assertOneError(mlv(project, "status"), 2, "Malformed pointer file", "invalid 'rev_lock'");
        Files.writeString(project.resolve("x.csv.mlv"), "outs:\n- path: x.csv\n  digest: " + "a".repeat(64)
                + "\n  size: 2\ndeps:\n- path: ../up\n  repo:\n    url: r\n    rev_lock: " + v1 + "\n");
        assertOneError(mlv(project, "status"), 2, "Malformed pointer file", "in 'deps'");
    }

    private static void assertOneError(DataTestKit.Result r, int code, String... fragments) {
        assertThat(r.code()).as("exit code; stderr=%s", r.err()).isEqualTo(code);
        List<String> errors = r.err().lines().filter(l -> l.startsWith("mlv: error: ")).toList();
        assertThat(errors).as(r.err()).hasSize(1);
        assertThat(errors.get(0)).contains(fragments);
    }

    private static List<String> listing(Path dir) throws java.io.IOException {
        if (!Files.exists(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }
}
