package dev.mlv.cli.data;

import dev.mlv.data.PointerFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.mlv.cli.data.DataTestKit.deleteTree;
import static dev.mlv.cli.data.DataTestKit.git;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static dev.mlv.cli.data.DataTestKit.tree;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv data} end to end with a local remote and real git. */
class DataLocalCycleTest {
    @TempDir
    Path tmp;

    @Test
    void addCommitPushDeletePullGivesIdenticalBytes() throws Exception {
        DataTestKit.fullCycle(tmp, tmp.resolve("remote").toString());
    }

    @Test
    void aPushWithLostCacheObjectsSendsTheRestAndNamesThem() throws Exception {
        DataTestKit.pushWithLostCacheObjects(tmp, tmp.resolve("lost-remote").toString());
    }

    @Test
    void gcCloudRemovesFromALocalRemoteWhatNoPointerInScopeUses() throws Exception {
        Path remote = tmp.resolve("gc-remote");
        DataTestKit.gcCloudCycle(tmp, remote.toString(), () -> {
            try (java.util.stream.Stream<Path> s = Files.walk(remote)) {
                return s.filter(Files::isRegularFile).map(p -> remote.relativize(p).toString()).collect(java.util.stream.Collectors.toSet());
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }

    @Test
    void gitHistoryCheckoutDiffAndGcAllCommits() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "hist");
        Files.writeString(repo.resolve(".mlv/config"), Files.readString(repo.resolve(".mlv/config")).replace("gc_grace_seconds: 3600", "gc_grace_seconds: 0"));
        DataTestKit.makeData(repo, 8, 1);
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "v1");
        String v1 = git(repo, "rev-parse", "HEAD");
        Map<String, String> tree1 = tree(repo, "dataset", "weights.bin");

        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "changed\n");
        Files.delete(repo.resolve("dataset/part1/file-1.txt"));
        Files.writeString(repo.resolve("dataset/new.txt"), "new\n");
        assertThat(mlv(repo, "status").ok().out()).contains("modified: dataset/part0/file-0.txt", "deleted:  dataset/part1/file-1.txt",
                "added:    dataset/new.txt", "(modified data: 'mlv data add' records it, 'mlv data checkout --force' puts back",
                "'mlv data checkout' restores it").doesNotContain("as after a git pull", "not in cache");
        // as DVC's diff: HEAD against the data in the workspace, before 'add' records it
        assertThat(mlv(repo, "diff").ok().out()).contains("added:    dataset/new.txt", "deleted:  dataset/part1/file-1.txt",
                "modified: dataset/part0/file-0.txt").doesNotContain("weights.bin", "part2");
        mlv(repo, "add", "dataset").ok();
        git(repo, "commit", "-q", "-am", "v2");
        String v2 = git(repo, "rev-parse", "HEAD");
        Map<String, String> tree2 = tree(repo, "dataset", "weights.bin");

        String diff = mlv(repo, "diff", v1, v2).ok().out();
        assertThat(diff).contains("added:    dataset/new.txt", "deleted:  dataset/part1/file-1.txt", "modified: dataset/part0/file-0.txt")
                .doesNotContain("weights.bin", "part2");
        assertThat(mlv(repo, "diff").ok().out()).contains("No data changes");
        // --json is DVC's diff object; --show-hash adds each file's digest (old and new for a modification)
        var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(mlv(repo, "diff", v1, v2, "--json", "--show-hash").ok().out());
        String changed = dev.mlv.data.Digests.sha256("changed\n".getBytes(StandardCharsets.UTF_8));
        assertThat(json.get("added").toString()).isEqualTo("[{\"path\":\"dataset/new.txt\",\"hash\":\""
                + dev.mlv.data.Digests.sha256("new\n".getBytes(StandardCharsets.UTF_8)) + "\"}]");
        assertThat(json.get("deleted").get(0).get("path").asText()).isEqualTo("dataset/part1/file-1.txt");
        assertThat(json.get("modified").get(0).get("hash").get("new").asText()).isEqualTo(changed);
        assertThat(json.get("renamed").size()).isZero();
        assertThat(mlv(repo, "diff", v1, v2, "--json").ok().out()).doesNotContain("hash");
        assertThat(mlv(repo, "diff", v1, v2, "--show-hash").ok().out()).contains("modified: ")
                .contains(".." + changed.substring(0, 8) + " dataset/part0/file-0.txt");
        // a file moved, not yet added: one rename, as DVC reports it
        Files.move(repo.resolve("dataset/part2/file-2.txt"), repo.resolve("dataset/part2/moved.txt"));
        assertThat(mlv(repo, "diff").ok().out()).isEqualTo("renamed:  dataset/part2/file-2.txt -> dataset/part2/moved.txt\n");
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(mlv(repo, "diff", "--json").ok().out()).get("renamed")
                .toString()).isEqualTo("[{\"path\":{\"old\":\"dataset/part2/file-2.txt\",\"new\":\"dataset/part2/moved.txt\"}}]");
        Files.move(repo.resolve("dataset/part2/moved.txt"), repo.resolve("dataset/part2/file-2.txt"));

        assertThat(mlv(repo, "gc", "--all-commits").ok().out()).contains("removed 0 object(s)");
        // the workspace scope would drop v1's two changed files
        assertThat(mlv(repo, "gc", "--workspace", "--dry-run").ok().out()).contains("would remove 3 object(s)");

        git(repo, "checkout", "-q", v1);
        mlv(repo, "checkout").ok();
        assertThat(tree(repo, "dataset", "weights.bin")).isEqualTo(tree1);
        git(repo, "checkout", "-q", "main");
        mlv(repo, "checkout").ok();
        assertThat(tree(repo, "dataset", "weights.bin")).isEqualTo(tree2);

        String log = mlv(repo, "log", "dataset.mlv", "--no-runs").ok().out();
        assertThat(log).contains(v1.substring(0, 10), v2.substring(0, 10), "v1", "v2");

        mlv(repo, "gc", "--workspace").ok();
        git(repo, "checkout", "-q", v1);
        DataTestKit.Result refused = mlv(repo, "checkout");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("not in the cache").contains("mlv data fetch");
        // v1's own versions, its manifest among them, are gone from the cache: status says what brings them
        assertThat(mlv(repo, "status").ok().out()).contains("modified: dataset\n",
                "as after a git pull, e.g. dataset: 'mlv data pull' brings that version").doesNotContain("'mlv data checkout --force' puts back");
        // v1's manifest is gone too: the workspace's folder is compared with it as a whole
        assertThat(mlv(repo, "diff").ok().out()).isEqualTo("modified: dataset\n");
        assertThat(mlv(repo, "gc").code()).isEqualTo(2); // a scope is required
    }

    @Test
    void pushAndFetchAllCommitsCarryEveryVersionInHistory() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "versions");
        mlv(repo, "remote add", "origin", tmp.resolve("versions-remote").toString(), "--default").ok();
        DataTestKit.makeData(repo, 6, 1);
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "v1");
        String v1 = git(repo, "rev-parse", "HEAD");
        Map<String, String> tree1 = tree(repo, "dataset", "weights.bin");
        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "changed\n");
        Files.writeString(repo.resolve("weights.bin"), "new weights\n");
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "commit", "-q", "-am", "v2");
        mlv(repo, "push").ok(); // the workspace's version only

        Path other = tmp.resolve("versions-clone");
        git(tmp, "clone", "-q", repo.toString(), other.toString());
        git(other, "checkout", "-q", v1);
        DataTestKit.Result missing = mlv(other, "pull");
        assertThat(missing.code()).as("v1 was never pushed").isEqualTo(1);

        assertThat(mlv(repo, "push", "--all-commits", "dataset").code()).as("--all-commits takes no target").isEqualTo(2);
        DataTestKit.Result all = mlv(repo, "push", "--all-commits").ok();
        assertThat(all.out()).containsPattern("pushed [1-9]\\d* object\\(s\\)");
        mlv(other, "pull").ok();
        assertThat(tree(other, "dataset", "weights.bin")).isEqualTo(tree1);

        // fetch --all-commits: every version in the cache, so checking out any commit needs no remote
        Path third = tmp.resolve("versions-third");
        git(tmp, "clone", "-q", repo.toString(), third.toString());
        mlv(third, "fetch", "-A").ok();
        DataTestKit.deleteTree(tmp.resolve("versions-remote"));
        mlv(third, "checkout").ok();
        git(third, "checkout", "-q", v1);
        mlv(third, "checkout").ok();
        assertThat(tree(third, "dataset", "weights.bin")).isEqualTo(tree1);
    }

    @Test
    void remotesAreAddedListedRenamedMadeDefaultAndRemoved() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "remotes");
        mlv(repo, "remote add", "first", "../first").ok();
        mlv(repo, "remote add", "second", tmp.resolve("second").toString()).ok();
        assertThat(mlv(repo, "remote list").ok().out()).containsPattern("first +\\.\\./first +yes").contains("second");
        // a relative path given to modify url, as to add, is from where the user is, kept relative to the repository root
        Files.createDirectories(repo.resolve("sub"));
        mlv(repo.resolve("sub"), "remote modify", "first", "url", "../../moved").ok();
        assertThat(mlv(repo, "remote list").ok().out()).containsPattern("first +\\.\\./moved +yes");
        mlv(repo, "remote modify", "first", "url", "../first").ok();
        assertThat(mlv(repo, "remote modify", "first", "jobs", "3").ok().out()).isEqualTo("remote first: jobs = 3\n");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("jobs: 3");
        assertThat(mlv(repo, "remote modify", "first", "jobs", "lots").err())
                .startsWith("mlv: error: jobs must be a whole number from 1 to 128, not 'lots'\n");
        DataTestKit.makeData(repo, 4, 1);
        mlv(repo, "add", "dataset").ok();
        assertThat(mlv(repo, "push", "-r", "first").ok().out()).contains("pushed 6 object(s)"); // 5 files, 1 manifest
        mlv(repo, "remote modify", "first", "jobs", "--unset").ok();
        assertThat(mlv(repo, "remote default", "second").ok().out()).isEqualTo("default remote: second\n");
        assertThat(mlv(repo, "remote rename", "second", "backup").ok().out()).isEqualTo("remote second is now backup\n");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("backup:", "default_remote: backup").doesNotContain("second:");
        assertThat(mlv(repo, "remote rename", "first", "backup").code()).as("name taken").isEqualTo(1);
        assertThat(mlv(repo, "remote rename", "first", "no/slash").code()).isEqualTo(2);
        assertThat(mlv(repo, "remote remove", "backup").ok().out()).contains("removed remote backup; there is no default remote now");
        assertThat(mlv(repo, "remote remove", "backup").err()).contains("Unknown remote 'backup'");
        assertThat(mlv(repo, "remote default", "nope").code()).isEqualTo(1);
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("first:").doesNotContain("backup", "default_remote");
        assertThat(mlv(repo, "push").err()).contains("no default remote");
    }

    @Test
    void corruptCacheAndRemoteObjectsAreDetected() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "corrupt");
        Files.writeString(repo.resolve("data.csv"), "a,b\n1,2\n");
        mlv(repo, "add", "data.csv").ok();
        mlv(repo, "remote add", "origin", "../remote", "--default").ok();
        mlv(repo, "push").ok();
        String digest = PointerFile.read(repo.resolve("data.csv.mlv")).outs().get(0).digest();

        Path cached = repo.resolve(".mlv/cache/sha256/" + digest.substring(0, 2) + "/" + digest.substring(2));
        flipByte(cached);
        DataTestKit.Result fsck = mlv(repo, "fsck");
        assertThat(fsck.code()).isEqualTo(1);
        assertThat(fsck.out()).contains("corrupt: " + digest);
        assertThat(fsck.err()).contains("quarantine");
        assertThat(cached).doesNotExist();
        assertThat(mlv(repo, "fsck").ok().out()).contains("0 corrupt");

        // pull repairs a corrupt cached object from the remote
        mlv(repo, "fetch").ok();
        flipByte(cached);
        Files.delete(repo.resolve("data.csv"));
        DataTestKit.Result repaired = mlv(repo, "pull").ok();
        assertThat(repaired.err()).contains("was corrupt").contains("fetching it again");
        assertThat(Files.readString(repo.resolve("data.csv"))).isEqualTo("a,b\n1,2\n");
        assertThat(mlv(repo, "fsck").ok().out()).contains("0 corrupt");
        Files.delete(cached); // the remote-corruption case starts with no cached copy
        Files.writeString(repo.resolve("data.csv"), "a,b\n1,2\n");

        Path remoteObj = tmp.resolve("remote/sha256/" + digest.substring(0, 2) + "/" + digest.substring(2));
        flipByte(remoteObj);
        Files.delete(repo.resolve("data.csv"));
        DataTestKit.Result pull = mlv(repo, "pull");
        assertThat(pull.code()).isEqualTo(1);
        assertThat(pull.out() + pull.err()).contains("corrupt");
        assertThat(repo.resolve("data.csv")).doesNotExist();
        assertThat(cached).doesNotExist();

        // a good copy pushed again repairs the remote? No: the remote already "has" it; re-adding restores the cache
        Files.writeString(repo.resolve("data.csv"), "a,b\n1,2\n");
        mlv(repo, "add", "data.csv").ok();
        assertThat(mlv(repo, "fsck").ok().out()).contains("0 corrupt");
        deleteTree(tmp.resolve("remote"));
        mlv(repo, "push").ok();
        deleteTree(repo.resolve(".mlv/cache"));
        Files.delete(repo.resolve("data.csv"));
        mlv(repo, "pull").ok();
        assertThat(Files.readString(repo.resolve("data.csv"))).isEqualTo("a,b\n1,2\n");
    }

    /**
     * Under the launcher's hash limit (quick JIT), status exits 75 having printed nothing when it would hash more than
     * the limit, so the launcher runs it again with both compilers; within the limit, or without one, it answers.
     */
    @Test
    void statusGivesUpBeforeHashingMoreThanTheLaunchersLimit() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "hash-limit");
        Files.write(repo.resolve("big.bin"), new byte[100_000]);
        DataTestKit.makeData(repo, 20, 3);
        mlv(repo, "add", "big.bin", "dataset").ok();
        Files.write(repo.resolve("big.bin"), new byte[100_001]);
        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "changed\n");
        try {
            System.setProperty(DataStatusCommand.HASH_LIMIT_PROPERTY, "1000");
            DataTestKit.Result over = mlv(repo, "status");
            assertThat(over.code()).isEqualTo(DataStatusCommand.RERUN_WITH_FULL_JIT);
            assertThat(over.out()).isEmpty();
            assertThat(over.err()).isEmpty();
            System.setProperty(DataStatusCommand.HASH_LIMIT_PROPERTY, "10000000");
            assertThat(mlv(repo, "status").ok().out()).contains("modified: big.bin", "modified: dataset/part0/file-0.txt");
        } finally {
            System.clearProperty(DataStatusCommand.HASH_LIMIT_PROPERTY);
        }
        assertThat(mlv(repo, "status").ok().out()).contains("modified: big.bin", "modified: dataset/part0/file-0.txt");
    }

    @Test
    void configSetsTheLinkTypeAndGcGrace() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "config");
        assertThat(mlv(repo, "config").ok().out()).isEqualTo("link_type = reflink\ngc_grace_seconds = 3600\ncache_dir = .mlv/cache (default)\ncache_shared = (unset)\nautostage = false\n");
        assertThat(mlv(repo, "config", "link_type", "hardlink").ok().out()).isEqualTo("link_type = hardlink\n");
        assertThat(mlv(repo, "config", "gc_grace_seconds", "60").ok().out()).isEqualTo("gc_grace_seconds = 60\n");
        assertThat(mlv(repo, "config", "link_type", "--json").ok().out()).contains("\"link_type\" : \"hardlink\"");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("link_type: hardlink", "gc_grace_seconds: 60");

        Files.writeString(repo.resolve("data.csv"), "a,b\n1,2\n");
        mlv(repo, "add", "data.csv").ok();
        assertThat((int) Files.getAttribute(repo.resolve("data.csv"), "unix:nlink")).as("a hard link to the cache object").isEqualTo(2);
        assertThat(Files.getPosixFilePermissions(repo.resolve("data.csv"))).as("the cache stays read-only")
                .doesNotContain(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        assertThat(mlv(repo, "unprotect", "data.csv").ok().out()).startsWith("unprotected 1 file(s)");
        assertThat((int) Files.getAttribute(repo.resolve("data.csv"), "unix:nlink")).as("a copy of its own").isEqualTo(1);
        assertThat(Files.getPosixFilePermissions(repo.resolve("data.csv"))).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);

        for (String[] bad : new String[][]{{"link_type", "junction"}, {"gc_grace_seconds", "-1"}, {"cache_dir", "inside"}, {"color", "x"}}) {
            DataTestKit.Result r = mlv(repo, "config", bad[0], bad[1]);
            assertThat(r.code()).as(String.join(" ", bad)).isEqualTo(2);
            assertThat(r.err()).startsWith("mlv: error: ");
        }
        assertThat(mlv(repo, "config").ok().out()).isEqualTo("link_type = hardlink\ngc_grace_seconds = 60\ncache_dir = .mlv/cache (default)\ncache_shared = (unset)\nautostage = false\n");
    }

    @Test
    void twoRepositoriesShareACacheDir() throws Exception {
        Path a = DataTestKit.newRepo(tmp, "a");
        Path b = DataTestKit.newRepo(tmp, "b");
        for (Path repo : List.of(a, b)) {
            assertThat(mlv(repo, "config", "cache_dir", "../shared").ok().out()).isEqualTo("cache_dir = ../shared\n");
            assertThat(mlv(repo, "config", "cache_shared", "group").ok().out()).isEqualTo("cache_shared = group\n");
            mlv(repo, "config", "gc_grace_seconds", "0").ok();
            Files.writeString(repo.resolve("same.csv"), "shared bytes\n");
            Files.writeString(repo.resolve("own.csv"), "only in " + repo.getFileName() + "\n");
            mlv(repo, "add", "same.csv", "own.csv").ok();
        }
        try (var objects = Files.walk(tmp.resolve("shared/sha256"))) {
            assertThat(objects.filter(Files::isRegularFile).count()).as("one copy of the shared bytes").isEqualTo(3);
        }
        assertThat(mlv(a, "gc", "-w").err()).contains("may be shared: name every repository that uses it with --projects");
        assertThat(mlv(a, "gc", "-w", "-p", "../b").ok().out()).startsWith("removed 0 object(s)");
        Files.delete(b.resolve("own.csv.mlv"));
        assertThat(mlv(a, "gc", "-w", "-p", "../b").ok().out()).startsWith("removed 1 object(s)");
        Files.delete(b.resolve("own.csv"));
        mlv(b, "checkout").ok();
        assertThat(Files.readString(b.resolve("same.csv"))).isEqualTo("shared bytes\n");
        assertThat(mlv(a, "config", "cache_dir", "--unset").ok().out()).isEqualTo("cache_dir = .mlv/cache (default)\n");
        assertThat(mlv(a, "fsck").ok().out()).startsWith("checked 0 object(s)"); // its own cache got nothing
        assertThat(Files.getPosixFilePermissions(tmp.resolve("shared/sha256"))).contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
        assertThat(mlv(a, "config", "cache_shared", "--unset").ok().out()).isEqualTo("cache_shared = (unset)\n");
        assertThat(mlv(a, "config", "cache_shared", "all").err()).contains("the only value is 'group'");
    }

    @Test
    void moveAndRemoveKeepGitAndTheWorkspaceConsistent() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "move");
        DataTestKit.makeData(repo, 4, 3);
        mlv(repo, "add", "dataset", "weights.bin").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "v1");
        Map<String, String> before = tree(repo, "dataset");

        assertThat(mlv(repo, "move", "dataset", "archive/2026").ok().out()).startsWith("moved dataset.mlv -> archive/2026.mlv");
        git(repo, "add", "-A");
        assertThat(git(repo, "status", "--porcelain")).as("only pointers and .gitignore files reach git")
                .contains("R  dataset.mlv -> archive/2026.mlv", "archive/.gitignore").doesNotContain("file-", "part");
        assertThat(mlv(repo, "status").ok().out()).doesNotContain("modified", "added", "deleted");
        assertThat(tree(repo, "archive/2026")).hasSameSizeAs(before);

        Files.writeString(repo.resolve("weights.bin"), "changed after the add");
        DataTestKit.Result refused = mlv(repo, "remove", "--outs", "weights.bin");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).startsWith("mlv: error: Refusing to delete weights.bin").contains("mlv data add");
        assertThat(repo.resolve("weights.bin.mlv")).exists();
        assertThat(mlv(repo, "remove", "weights.bin.mlv", "--json").ok().out()).contains("weights.bin.mlv");
        assertThat(Files.readString(repo.resolve("weights.bin"))).isEqualTo("changed after the add");
        assertThat(repo.resolve("weights.bin.mlv")).doesNotExist();
        assertThat(repo.resolve(".gitignore")).as("its last entry gone, so deleted").doesNotExist();
        assertThat(mlv(repo, "remove", "archive/2026/part0").code()).isEqualTo(2);
    }

    @Test
    void mlvignoreKeepsLitterOutOfTrackedDataAndCheckIgnoreSaysWhy() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "ignore");
        DataTestKit.makeData(repo, 4, 5);
        Files.writeString(repo.resolve(".mlvignore"), "# OS litter\n.DS_Store\n*.partial\n!final.partial\n");
        Files.writeString(repo.resolve("dataset/.DS_Store"), "finder");
        Files.writeString(repo.resolve("dataset/download.partial"), "half a file");
        Files.writeString(repo.resolve("dataset/final.partial"), "kept by '!'");
        mlv(repo, "add", "dataset").ok();
        assertThat(Files.readString(repo.resolve("dataset.mlv"))).contains("nfiles: 6"); // 4 + part-file + final.partial

        assertThat(mlv(repo, "check-ignore", "dataset/.DS_Store", "dataset/final.partial", "dataset/part0").ok().out())
                .isEqualTo("dataset/.DS_Store\n");
        assertThat(mlv(repo, "check-ignore", "-d", "-n", "dataset/download.partial", "dataset/final.partial", "dataset/part0")
                .ok().out()).isEqualTo(".mlvignore:3:*.partial\tdataset/download.partial\n"
                + ".mlvignore:4:!final.partial\tdataset/final.partial\n::\tdataset/part0\n");
        assertThat(mlv(repo, "check-ignore", "dataset/part0").code()).as("nothing ignored").isEqualTo(1);
        assertThat(mlv(repo, "check-ignore", "-n", "x").code()).isEqualTo(2);
        Files.writeString(repo.resolve("notes.partial"), "x");
        DataTestKit.Result refused = mlv(repo, "add", "notes.partial");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).startsWith("mlv: error: 'notes.partial' is ignored by .mlvignore:3 ('*.partial')");

        Files.writeString(repo.resolve("dataset/.DS_Store"), "finder, changed");
        assertThat(mlv(repo, "status").ok().out()).doesNotContain("modified", "added", "deleted");

        Path remote = tmp.resolve("ignore-remote");
        mlv(repo, "remote add", "origin", remote.toString(), "--default").ok();
        mlv(repo, "push").ok();
        Map<String, String> tracked = tree(repo, "dataset");
        tracked.keySet().removeAll(List.of("dataset/.DS_Store", "dataset/download.partial"));
        DataTestKit.deleteTree(repo.resolve("dataset"));
        DataTestKit.deleteTree(repo.resolve(".mlv/cache"));
        mlv(repo, "pull").ok();
        assertThat(repo.resolve("dataset/.DS_Store")).doesNotExist();
        assertThat(repo.resolve("dataset/download.partial")).doesNotExist();
        assertThat(tree(repo, "dataset")).isEqualTo(tracked);
    }

    @Test
    void autostageStagesThePointersAndGitignoresCommandsChange() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "autostage");
        DataTestKit.makeData(repo, 4, 9);
        assertThat(mlv(repo, "config", "autostage", "maybe").err()).contains("true or false");
        assertThat(mlv(repo, "config", "autostage", "true").ok().out()).isEqualTo("autostage = true\n");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("autostage: true");

        assertThat(mlv(repo, "add", "dataset", "weights.bin").ok().out())
                .contains("Staged with git (autostage): .gitignore dataset.mlv weights.bin.mlv").doesNotContain("To track");
        assertThat(git(repo, "diff", "--cached", "--name-only")).contains(".gitignore", "dataset.mlv", "weights.bin.mlv");
        git(repo, "commit", "-q", "-m", "v1");

        mlv(repo, "move", "dataset", "archive/2026").ok();
        mlv(repo, "remove", "weights.bin").ok();
        String status = git(repo, "status", "--porcelain");
        assertThat(status).as("every change staged").contains("R  dataset.mlv -> archive/2026.mlv", "A  archive/.gitignore",
                "D  weights.bin.mlv", "D  .gitignore");
        assertThat(status.lines().filter(l -> !l.startsWith("??") && l.charAt(1) != ' ').toList()).as("nothing unstaged").isEmpty();

        // --json prints JSON only; staging still happens
        Files.writeString(repo.resolve("notes.txt"), "n");
        assertThat(mlv(repo, "add", "notes.txt", "--json").ok().out()).startsWith("[").doesNotContain("Staged");
        assertThat(git(repo, "diff", "--cached", "--name-only")).contains("notes.txt.mlv");
    }

    @Test
    void configLocalOverridesTheSharedConfigAndStaysOutOfGit() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "local-config");
        // a repository made before config.local existed: its .mlv/.gitignore gains the entry on first use
        Files.writeString(repo.resolve(".mlv/.gitignore"), "/cache\n/state.db*\n/lock\n/quarantine\n/tmp\n");
        mlv(repo, "remote add", "origin", "../team-remote", "--default").ok();
        String shared = Files.readString(repo.resolve(".mlv/config"));

        assertThat(mlv(repo, "remote add", "mine", tmp.resolve("mine").toString(), "--local").ok().out())
                .startsWith("remote mine -> " + tmp.resolve("mine"));
        assertThat(mlv(repo, "remote default", "mine", "--local").ok().out()).isEqualTo("default remote: mine (in .mlv/config.local)\n");
        mlv(repo, "remote modify", "origin", "jobs", "4", "--local").ok();
        assertThat(mlv(repo, "config", "link_type", "hardlink", "--local").ok().out()).isEqualTo("link_type = hardlink\n");
        assertThat(mlv(repo, "config", "gc_grace_seconds", "soon", "--local").code()).isEqualTo(2);
        assertThat(Files.readString(repo.resolve(".mlv/config"))).as("the shared file is untouched").isEqualTo(shared);
        assertThat(Files.readString(repo.resolve(".mlv/config.local"))).contains("mine", "default_remote: mine", "jobs: 4", "link_type: hardlink");
        assertThat(Files.readString(repo.resolve(".mlv/.gitignore"))).contains("/config.local");
        git(repo, "add", "-A");
        assertThat(git(repo, "status", "--porcelain")).contains(".mlv/config").doesNotContain("config.local");

        // in effect: both files, the local one winning
        assertThat(mlv(repo, "remote list").ok().out()).containsPattern("mine +\\S+ +yes").containsPattern("origin +\\.\\./team-remote +jobs=4");
        mlv(repo, "config", "link_type", "symlink").ok(); // the shared value changes, the local one still wins
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("link_type: symlink");
        assertThat(mlv(repo, "config", "link_type").ok().out()).isEqualTo("link_type = hardlink\n");
        DataTestKit.makeData(repo, 4, 2);
        mlv(repo, "add", "dataset").ok();
        mlv(repo, "push").ok();
        assertThat(tmp.resolve("mine")).as("the local default remote got the push").isNotEmptyDirectory();
        assertThat(DataTestKit.tree(tmp, "team-remote")).as("nothing went to the shared default").isEmpty();

        assertThat(mlv(repo, "config", "link_type", "--unset", "--local").ok().out()).isEqualTo("link_type = symlink\n");
        assertThat(mlv(repo, "remote remove", "origin", "--local").ok().out()).contains("still has it");
        assertThat(mlv(repo, "remote remove", "origin", "--local").code()).as("no longer in the local file").isEqualTo(1);
        mlv(repo, "remote remove", "mine", "--local").ok();
        assertThat(mlv(repo, "remote list").ok().out()).containsPattern("origin +\\.\\./team-remote +yes").doesNotContain("mine");
    }

    @Test
    void renamingOrRemovingASharedRemoteTakesThisClonesLocalSettingsOfItAlong() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "local-rename");
        mlv(repo, "remote add", "origin", "../team-remote", "--default").ok();
        mlv(repo, "remote modify", "origin", "jobs", "4", "--local").ok();
        mlv(repo, "remote default", "origin", "--local").ok();

        // a shared rename: the local options and default follow (they used to stay behind as a remote without a url,
        // and every later command failed on the config)
        assertThat(mlv(repo, "remote rename", "origin", "team").ok().out()).isEqualTo("remote origin is now team\n");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).contains("team: ../team-remote").doesNotContain("origin");
        assertThat(Files.readString(repo.resolve(".mlv/config.local"))).contains("team:", "jobs: 4", "default_remote: team")
                .doesNotContain("origin");
        assertThat(mlv(repo, "remote list").ok().out()).containsPattern("team +\\.\\./team-remote +yes +jobs=4");

        // --local renames a remote of config.local only, and says where each one is
        mlv(repo, "remote add", "mine", tmp.resolve("mine").toString(), "--local").ok();
        assertThat(mlv(repo, "remote rename", "mine", "usb").code()).as("not in .mlv/config").isEqualTo(1);
        DataTestKit.Result onlyOptions = mlv(repo, "remote rename", "team", "other", "--local");
        assertThat(onlyOptions.code()).as("config.local only has options of it").isEqualTo(1);
        assertThat(onlyOptions.err()).contains("rename it without --local");
        assertThat(mlv(repo, "remote rename", "mine", "team", "--local").code()).as("taken").isNotZero();
        assertThat(mlv(repo, "remote rename", "mine", "usb", "--local").ok().out()).isEqualTo("remote mine is now usb (in .mlv/config.local)\n");
        assertThat(Files.readString(repo.resolve(".mlv/config.local"))).contains("usb: " + tmp.resolve("mine")).doesNotContain("mine:");
        assertThat(Files.readString(repo.resolve(".mlv/config"))).doesNotContain("usb");

        // a shared remove takes the local options of the remote (and the local default naming it) with it
        mlv(repo, "remote remove", "team").ok();
        assertThat(Files.readString(repo.resolve(".mlv/config.local"))).doesNotContain("team", "jobs", "default_remote")
                .contains("usb");
        assertThat(mlv(repo, "remote list").ok().out()).contains("usb").doesNotContain("team");
    }

    @Test
    void gcCloudAsksOnATerminalAndRemovesOnlyAfterAYes() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "gc-prompt");
        Files.writeString(repo.resolve(".mlv/config"), Files.readString(repo.resolve(".mlv/config")).replace("gc_grace_seconds: 3600", "gc_grace_seconds: 0"));
        Path remote = tmp.resolve("gc-prompt-remote");
        mlv(repo, "remote add", "origin", remote.toString(), "--default").ok();
        for (String version : List.of("v1", "v2")) {
            Files.writeString(repo.resolve("a.txt"), version + "\n");
            mlv(repo, "add", "a.txt").ok();
            git(repo, "add", "-A");
            git(repo, "commit", "-q", "-m", version);
            mlv(repo, "push").ok();
        }
        Set<String> both = DataTestKit.tree(tmp, "gc-prompt-remote").keySet();
        assertThat(both).hasSize(2);
        // the confirmation needs a terminal: script(1) gives the command one, and the answer comes through it
        String command = DataTestKit.launcher(tmp) + " data gc -w --cloud -C " + repo;
        String no = onTerminal(command, "n\n");
        assertThat(no).contains("Remove 1 object(s), 3 bytes, from " + remote + "?", "[y/N]", "would remove 1 object(s), 3 bytes from " + remote);
        assertThat(DataTestKit.tree(tmp, "gc-prompt-remote").keySet()).as("declined: nothing removed").isEqualTo(both);
        String yes = onTerminal(command, "y\n");
        assertThat(yes).contains("removed 1 object(s), 3 bytes from " + remote);
        assertThat(DataTestKit.tree(tmp, "gc-prompt-remote")).hasSize(1);
        assertThat(mlv(repo, "status", "--remote").ok().out()).doesNotContain("not in remote", "missing");
    }

    /** Runs {@code command} on a pseudo-terminal (util-linux {@code script}), typing {@code input}; returns what it showed. */
    private static String onTerminal(String command, String input) throws Exception {
        Process p = new ProcessBuilder("script", "-qec", command, "/dev/null").redirectErrorStream(true).start();
        try (var in = p.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out;
    }

    @Test
    void malformedPointerAndUsageErrorsAreOneLine() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "errors");
        Files.writeString(repo.resolve("bad.mlv"), "outs: [oops\n");
        DataTestKit.Result r = mlv(repo, "status");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("mlv: error: Malformed pointer file").contains("bad.mlv");
        assertThat(r.err().lines().filter(l -> l.startsWith("mlv: error:")).count()).isEqualTo(1);
        Files.delete(repo.resolve("bad.mlv"));
        DataTestKit.Result outside = mlv(repo, "add", "../elsewhere.txt");
        assertThat(outside.code()).isEqualTo(2);
        assertThat(outside.err()).contains("outside the repository");
        DataTestKit.Result noRemote = mlv(repo, "push");
        assertThat(noRemote.code()).isEqualTo(2);
        assertThat(noRemote.err()).contains("mlv data remote add");
        DataTestKit.Result noJobs = mlv(repo, "pull", "-j", "0");
        assertThat(noJobs.code()).isEqualTo(2);
        assertThat(noJobs.err()).startsWith("mlv: error: jobs must be a whole number from 1 to 128, not '0'");
        DataTestKit.Result notRepo = mlv(tmp, "status");
        assertThat(notRepo.code()).isEqualTo(1);
        assertThat(notRepo.err()).contains("mlv data init");
    }

    static void flipByte(Path p) throws Exception {
        p.toFile().setWritable(true);
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.seek(1);
            int b = f.read();
            f.seek(1);
            f.write(b ^ 0x01);
        }
    }
}
