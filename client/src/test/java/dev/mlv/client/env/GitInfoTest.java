package dev.mlv.client.env;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GitInfoTest {
    static final String C1 = "1111111111111111111111111111111111111111";
    static final String C2 = "2222222222222222222222222222222222222222";

    @Test
    void readsLooseRefFromASubfolder(@TempDir Path repo) throws IOException {
        Path git = Files.createDirectories(repo.resolve(".git/refs/heads"));
        Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/main\n");
        Files.writeString(git.resolve("main"), C1 + "\n");
        Path sub = Files.createDirectories(repo.resolve("a/b"));
        GitInfo info = GitInfo.find(sub, false).orElseThrow();
        assertThat(info.commit()).isEqualTo(C1);
        assertThat(info.branch()).isEqualTo("main");
        assertThat(info.root()).isEqualTo(repo.toAbsolutePath().normalize());
    }

    @Test
    void readsPackedRefsAndDetachedHead(@TempDir Path repo) throws IOException {
        Files.createDirectories(repo.resolve(".git"));
        Files.writeString(repo.resolve(".git/HEAD"), "ref: refs/heads/feature\n");
        Files.writeString(repo.resolve(".git/packed-refs"),
                "# pack-refs with: peeled fully-peeled sorted\n" + C1 + " refs/heads/main\n" + C2 + " refs/heads/feature\n");
        assertThat(GitInfo.find(repo, false).orElseThrow().commit()).isEqualTo(C2);

        Files.writeString(repo.resolve(".git/HEAD"), C1 + "\n");
        GitInfo detached = GitInfo.find(repo, false).orElseThrow();
        assertThat(detached.commit()).isEqualTo(C1);
        assertThat(detached.branch()).isNull();
    }

    @Test
    void followsWorktreeGitFile(@TempDir Path tmp) throws IOException {
        Path main = Files.createDirectories(tmp.resolve("main/.git/refs/heads"));
        Files.writeString(main.resolve("wt"), C2);
        Path wtGit = Files.createDirectories(tmp.resolve("main/.git/worktrees/wt"));
        Files.writeString(wtGit.resolve("HEAD"), "ref: refs/heads/wt\n");
        Files.writeString(wtGit.resolve("commondir"), "../..\n");
        Path wt = Files.createDirectories(tmp.resolve("wt"));
        Files.writeString(wt.resolve(".git"), "gitdir: " + wtGit + "\n");
        assertThat(GitInfo.find(wt, false).orElseThrow().commit()).isEqualTo(C2);
    }

    @Test
    void noRepositoryOrUnbornBranchGivesNothing(@TempDir Path dir) throws IOException {
        Path repo = Files.createDirectories(dir.resolve("r/.git"));
        Files.writeString(repo.resolve("HEAD"), "ref: refs/heads/main\n"); // no commit yet
        assertThat(GitInfo.find(dir.resolve("r"), false)).isEmpty();
    }

    @Test
    void dirtyFlagFollowsGitStatusWhenGitIsInstalled(@TempDir Path repo) throws Exception {
        if (!gitAvailable()) return;
        run(repo, "git", "init", "-q", "-b", "main");
        Files.writeString(repo.resolve("a.txt"), "one");
        run(repo, "git", "add", "a.txt");
        run(repo, "git", "-c", "user.email=t@t", "-c", "user.name=t", "commit", "-q", "-m", "c1");
        GitInfo clean = GitInfo.find(repo).orElseThrow();
        assertThat(clean.dirty()).isFalse();
        assertThat(clean.commit()).matches("[0-9a-f]{40}");
        Files.writeString(repo.resolve("a.txt"), "two");
        assertThat(GitInfo.find(repo).orElseThrow().dirty()).isTrue();
    }

    @Test
    void dependenciesFromPomResolveProperties(@TempDir Path dir) throws IOException {
        Path pom = Files.writeString(dir.resolve("pom.xml"), """
                <project><version>1.2.3</version>
                  <properties><jackson.version>2.20.1</jackson.version></properties>
                  <dependencies>
                    <dependency><groupId>com.fasterxml.jackson.core</groupId><artifactId>jackson-databind</artifactId><version>${jackson.version}</version></dependency>
                    <dependency><groupId>dev.mlv</groupId><artifactId>mlv-core</artifactId><version>${project.version}</version></dependency>
                    <dependency><groupId>org.x</groupId><artifactId>managed</artifactId></dependency>
                  </dependencies></project>""");
        assertThat(Environment.dependenciesFromPom(pom)).containsExactly(
                "com.fasterxml.jackson.core:jackson-databind:2.20.1", "dev.mlv:mlv-core:1.2.3", "org.x:managed");
    }

    @Test
    void captureDescribesThisJvm() {
        Environment env = Environment.capture();
        assertThat(env.javaVersion()).isEqualTo(System.getProperty("java.version"));
        assertThat(env.arch()).isEqualTo(System.getProperty("os.arch"));
        assertThat(env.dependencies()).anyMatch(d -> d.startsWith("org.junit.jupiter:junit-jupiter-api:"));
        assertThat(env.toJson().path("java").path("vendor").asText()).isEqualTo(System.getProperty("java.vendor"));
    }

    @Test
    void coordinatesFromAMavenRepositoryPath() {
        assertThat(Environment.repositoryCoordinates(Path.of("/h/.m2/repository/org/junit/jupiter/junit-jupiter-api/5.14.1/junit-jupiter-api-5.14.1.jar")))
                .isEqualTo("org.junit.jupiter:junit-jupiter-api:5.14.1");
        assertThat(Environment.repositoryCoordinates(Path.of("/opt/app/lib/thing-1.0.jar"))).isEqualTo("thing-1.0.jar");
    }

    private static boolean gitAvailable() {
        try {
            return new ProcessBuilder("git", "--version").start().waitFor() == 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static void run(Path dir, String... cmd) throws Exception {
        Process p = new ProcessBuilder(List.of(cmd)).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).as(String.join(" ", cmd)).isZero();
    }
}
