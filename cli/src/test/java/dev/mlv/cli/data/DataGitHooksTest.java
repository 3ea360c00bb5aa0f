package dev.mlv.cli.data;

import dev.mlv.data.GitHooks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.mlv.cli.data.DataTestKit.git;
import static dev.mlv.cli.data.DataTestKit.mlv;
import static dev.mlv.cli.data.DataTestKit.tree;
import static org.assertj.core.api.Assertions.assertThat;

/** {@code mlv data install}: real git runs the hooks, which run mlv in a JVM of their own. */
class DataGitHooksTest {
    @TempDir
    Path tmp;

    record Run(int code, String out) {
    }

    /** git with the hooks' output, not asserting success (a hook may stop it). */
    static Run gitRun(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-c", "user.name=mlv test", "-c", "user.email=test@mlv.dev",
                "-c", "commit.gpgsign=false"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    /** A launcher for the hooks: this test's class path, as the ./mlv script runs the built jar. */
    Path launcher() throws IOException {
        return DataTestKit.launcher(tmp);
    }

    @Test
    void hooksCheckOutDataWithBranchesShowStatusOnCommitAndPushDataBeforeGit() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "hooks");
        DataTestKit.makeData(repo, 6, 1);
        mlv(repo, "add", "dataset").ok();
        git(repo, "add", "-A");
        git(repo, "commit", "-q", "-m", "v1");
        Map<String, String> v1 = tree(repo, "dataset");

        assertThat(mlv(repo, "install").ok().out()).contains("installed .git/hooks/pre-commit", "installed .git/hooks/post-checkout",
                "installed .git/hooks/pre-push");
        assertThat(Files.readString(repo.resolve(".git/hooks/pre-push"))).contains("mlv data git-hook pre-push \"$@\"");
        GitHooks.install(repo, launcher().toString()); // the same hooks, running this build

        // a branch with other data; the commit's pre-commit hook shows what is not added, and lets the commit through
        git(repo, "checkout", "-q", "-b", "v2");
        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "v2 data\n");
        mlv(repo, "add", "dataset").ok();
        Files.writeString(repo.resolve("dataset/part1/file-1.txt"), "edited, not added\n");
        git(repo, "add", "-A");
        Run commit = gitRun(repo, "commit", "-m", "v2");
        assertThat(commit.code()).as(commit.out()).isZero();
        assertThat(commit.out()).contains("modified: dataset/part1/file-1.txt");
        mlv(repo, "checkout", "--force").ok();
        Map<String, String> v2 = tree(repo, "dataset");
        assertThat(v2).isNotEqualTo(v1);

        // switching branches brings each branch's data
        Run toMain = gitRun(repo, "checkout", "main");
        assertThat(toMain.code()).as(toMain.out()).isZero();
        assertThat(tree(repo, "dataset")).isEqualTo(v1);
        assertThat(gitRun(repo, "checkout", "v2").code()).isZero();
        assertThat(tree(repo, "dataset")).isEqualTo(v2);
        // checking out files (not a branch) leaves the data alone
        assertThat(gitRun(repo, "checkout", "main", "--", "dataset.mlv").code()).isZero();
        assertThat(tree(repo, "dataset")).isEqualTo(v2);
        git(repo, "checkout", "v2", "--", "dataset.mlv");

        // pre-push: no data remote yet, so the git push stops, saying why
        Path bare = tmp.resolve("origin.git");
        git(tmp, "init", "-q", "--bare", bare.toString());
        git(repo, "remote", "add", "origin", bare.toString());
        Run refused = gitRun(repo, "push", "-q", "origin", "v2");
        assertThat(refused.code()).as(refused.out()).isNotZero();
        assertThat(refused.out()).contains("mlv data remote add", "git push --no-verify");
        assertThat(gitRun(bare, "rev-parse", "--verify", "-q", "refs/heads/v2").code()).as("nothing pushed").isNotZero();

        Path dataRemote = tmp.resolve("data-remote");
        mlv(repo, "remote add", "origin", dataRemote.toString(), "--default").ok();
        Run pushed = gitRun(repo, "push", "-q", "origin", "v2");
        assertThat(pushed.code()).as(pushed.out()).isZero();
        assertThat(mlv(repo, "status", "--remote").ok().out()).contains("has every object");

        assertThat(mlv(repo, "install", "--uninstall").ok().out()).contains("removed .git/hooks/post-checkout");
        assertThat(repo.resolve(".git/hooks/post-checkout")).doesNotExist();
        assertThat(gitRun(repo, "checkout", "-q", "main").code()).isZero();
        assertThat(tree(repo, "dataset")).as("no hook, no data checkout").isEqualTo(v2);
    }

    @Test
    void anExistingHookOfYourOwnIsNeverReplaced() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "own");
        Path own = repo.resolve(".git/hooks/pre-push");
        Files.createDirectories(own.getParent());
        Files.writeString(own, "#!/bin/sh\necho mine\n");
        DataTestKit.Result r = mlv(repo, "install");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).startsWith("mlv: error: A pre-push hook exists already").contains("data git-hook pre-push");
        assertThat(Files.readString(own)).isEqualTo("#!/bin/sh\necho mine\n");
        assertThat(repo.resolve(".git/hooks/pre-commit")).as("nothing written").doesNotExist();
        assertThat(mlv(repo, "install", "--uninstall").ok().out()).isEqualTo("No mlv git hooks to remove.\n");
        assertThat(own).exists();
    }

    @Test
    void hooksOfARepositoryBelowTheTopOfTheWorkTreeRunThere() throws Exception {
        Path top = Files.createDirectories(tmp.resolve("mono"));
        git(top, "init", "-q", ".");
        Path sub = Files.createDirectories(top.resolve("ml/project"));
        mlv(sub, "init").ok();
        mlv(sub, "install").ok();
        assertThat(Files.readString(top.resolve(".git/hooks/post-checkout")))
                .contains("data git-hook -C ml/project/ post-checkout \"$@\"");
        mlv(sub, "install", "--use-pre-commit-tool").ok();
        assertThat(Files.readString(top.resolve(GitHooks.PRE_COMMIT_CONFIG))).startsWith("repos:\n- repo: local\n  hooks:\n")
                .contains("entry: \"mlv data git-hook -C ml/project/ pre-push\"");
    }

    @Test
    void thePreCommitFrameworkGetsTheHooksInItsConfigAndTheirCommandsRunAsItCallsThem() throws Exception {
        Path repo = DataTestKit.newRepo(tmp, "framework");
        Path config = repo.resolve(GitHooks.PRE_COMMIT_CONFIG);
        String theirs = "# our checks\nrepos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v4.6.0\n"
                + "    hooks:\n      - id: trailing-whitespace   # keep this comment\n";
        Files.writeString(config, theirs);
        assertThat(mlv(repo, "install", "--use-pre-commit-tool").ok().out()).contains("added mlv's hooks to", "pre-commit install");
        String written = Files.readString(config);
        assertThat(written).as("their text and comments kept").startsWith(theirs);
        var yaml = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(written);
        assertThat(yaml.path("repos")).hasSize(2);
        var local = yaml.path("repos").get(1);
        assertThat(local.path("repo").asText()).isEqualTo("local");
        assertThat(local.path("hooks").findValuesAsText("id")).containsExactly("mlv-pre-commit", "mlv-post-checkout", "mlv-pre-push");
        assertThat(local.path("hooks").get(1).path("entry").asText()).isEqualTo("mlv data git-hook post-checkout");
        assertThat(local.path("hooks").get(1).path("stages").get(0).asText()).isEqualTo("post-checkout");
        assertThat(repo.resolve(".git/hooks/post-checkout")).as("git's own hooks are left to pre-commit").doesNotExist();
        assertThat(mlv(repo, "install", "--use-pre-commit-tool").ok().out()).contains("already");
        assertThat(Files.readString(config)).isEqualTo(written);

        // --uninstall takes mlv's entry out again, their text and comments kept; a file install made is deleted
        assertThat(mlv(repo, "install", "--use-pre-commit-tool", "--uninstall").ok().out()).startsWith("removed mlv's hooks from");
        assertThat(Files.readString(config)).isEqualTo(theirs);
        assertThat(mlv(repo, "install", "--use-pre-commit-tool", "--uninstall").ok().out()).startsWith("No mlv hooks");
        Files.delete(config);
        mlv(repo, "install", "--use-pre-commit-tool").ok();
        assertThat(mlv(repo, "install", "--use-pre-commit-tool", "--uninstall").ok().out()).endsWith("held nothing else)\n");
        assertThat(config).doesNotExist();
        // an entry where the user put their own hook beside mlv's is left alone
        Files.writeString(config, "repos:\n- repo: local\n  hooks:\n  - id: mine\n    name: mine\n    entry: 'true'\n    language: system\n");
        mlv(repo, "install", "--use-pre-commit-tool").ok();
        String merged = Files.readString(config).replace("  hooks:\n  - id: mine\n    name: mine\n    entry: 'true'\n    language: system\n- repo: local\n  hooks:\n", "  hooks:\n  - id: mine\n    name: mine\n    entry: 'true'\n    language: system\n");
        Files.writeString(config, merged);
        DataTestKit.Result shared = mlv(repo, "install", "--use-pre-commit-tool", "--uninstall");
        assertThat(shared.code()).as(merged).isEqualTo(1);
        assertThat(shared.err()).contains("remove its mlv-* hooks yourself");
        assertThat(Files.readString(config)).isEqualTo(merged);

        // a file where an appended item would not join the list is left alone, with the entry to paste
        Files.writeString(config, "repos:\n- repo: local\n  hooks: []\ndefault_stages: [pre-commit]\n");
        DataTestKit.Result refused = mlv(repo, "install", "--use-pre-commit-tool");
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains("other keys after its 'repos' list", "- id: mlv-pre-push");
        assertThat(Files.readString(config)).isEqualTo("repos:\n- repo: local\n  hooks: []\ndefault_stages: [pre-commit]\n");

        // the framework runs post-checkout's entry with no arguments and the checkout kind in PRE_COMMIT_CHECKOUT_TYPE
        DataTestKit.makeData(repo, 4, 3);
        mlv(repo, "add", "dataset").ok();
        Map<String, String> tracked = tree(repo, "dataset");
        Files.writeString(repo.resolve("dataset/part0/file-0.txt"), "changed in the workspace\n");
        mlv(repo, "checkout", "--force").ok(); // back to tracked
        DataTestKit.deleteTree(repo.resolve("dataset/part1"));
        ProcessBuilder fileCheckout = new ProcessBuilder(launcher().toString(), "data", "git-hook", "post-checkout").directory(repo.toFile());
        fileCheckout.environment().put("PRE_COMMIT_CHECKOUT_TYPE", "0");
        assertThat(fileCheckout.start().waitFor()).isZero();
        assertThat(tree(repo, "dataset")).as("a file checkout leaves the data").isNotEqualTo(tracked);
        ProcessBuilder branchCheckout = new ProcessBuilder(launcher().toString(), "data", "git-hook", "post-checkout").directory(repo.toFile())
                .redirectErrorStream(true);
        branchCheckout.environment().put("PRE_COMMIT_CHECKOUT_TYPE", "1");
        Process p = branchCheckout.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(tree(repo, "dataset")).isEqualTo(tracked);
    }
}
