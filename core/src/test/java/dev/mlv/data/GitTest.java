package dev.mlv.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GitTest {
    @TempDir
    Path repo;

    String git(String... args) throws Exception {
        return run(true, args);
    }

    String run(boolean check, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=t", "-c", "user.email=t@example.com"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(repo.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        int code = p.waitFor();
        if (check) assertThat(code).as(out).isZero();
        return out;
    }

    /** Writes a pointer file (its content only needs to be unique here) and returns its blob id. */
    String pointer(String path, String version) throws Exception {
        Files.createDirectories(repo.resolve(path).getParent());
        Files.writeString(repo.resolve(path), "outs:\n- path: x\n  digest: " + version + "\n");
        return git("hash-object", path);
    }

    @Test
    void historyHoldsEveryPointerVersionOfEveryBranchMergeTagAndStash() throws Exception {
        git("init", "-q", "-b", "main");
        String v1 = pointer("data.mlv", "v1");
        Files.writeString(repo.resolve("notes.txt"), "not a pointer");
        git("add", "-A");
        git("commit", "-q", "-m", "v1");
        git("checkout", "-q", "-b", "side");
        String side = pointer("data.mlv", "side");
        String nested = pointer("sub/dir/model.mlv", "nested");
        git("commit", "-q", "-am", "side");
        git("add", "-A");
        git("commit", "-q", "-m", "nested");
        git("checkout", "-q", "main");
        String v2 = pointer("data.mlv", "v2");
        git("commit", "-q", "-am", "v2");
        run(false, "merge", "-q", "side", "-m", "merge"); // conflicts on data.mlv: resolved with a version only the merge has
        String merged = pointer("data.mlv", "merged");
        git("add", "-A");
        git("commit", "-q", "-m", "resolved");
        git("checkout", "-q", "--orphan", "orphan");
        git("rm", "-q", "-rf", ".");
        String tagged = pointer("other.mlv", "tagged");
        git("add", "-A");
        git("commit", "-q", "-m", "orphan");
        git("tag", "t1");
        git("checkout", "-q", "main");
        git("branch", "-D", "orphan", "side");
        String stashed = pointer("data.mlv", "stashed");
        git("stash", "-q");
        String deletedLater = pointer("gone.mlv", "gone");
        git("add", "-A");
        git("commit", "-q", "-m", "add gone");
        git("rm", "-q", "gone.mlv");
        git("commit", "-q", "-m", "remove gone");

        assertThat(new Git(repo).pointerBlobsInHistory())
                .containsExactlyInAnyOrder(v1, side, nested, v2, merged, tagged, stashed, deletedLater);
    }
}
