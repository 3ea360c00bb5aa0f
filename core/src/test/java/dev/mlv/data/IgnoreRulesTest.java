package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code .mlvignore}: git's pattern rules, and what add, status and checkout make of them. */
class IgnoreRulesTest {
    @TempDir
    Path dir;
    Path root;

    @BeforeEach
    void init() {
        root = DataRepo.init(dir.resolve("repo"));
    }

    Path write(String rel, String content) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    boolean ignored(String rel, boolean folder) {
        return IgnoreRules.check(root, rel, folder).map(IgnoreRules.Match::ignored).orElse(false);
    }

    boolean ignored(String rel) {
        return ignored(rel, false);
    }

    @Test
    void patternsFollowGitignore() throws Exception {
        write(".mlvignore", String.join("\n",
                "# editor and OS litter",
                "*.tmp",
                "!keep.tmp",
                ".DS_Store",
                "cache/",
                "/top.txt",
                "data/raw/*.csv",
                "**/scratch",
                "logs/**",
                "file[0-9].bin",
                "q?.txt",
                "\\#literal",
                "trailing   ",
                ""));
        assertThat(ignored("a.tmp")).isTrue();
        assertThat(ignored("deep/down/b.tmp")).isTrue();
        assertThat(ignored("deep/keep.tmp")).isFalse(); // re-included by the later '!' rule
        assertThat(ignored("x/.DS_Store")).isTrue();
        assertThat(ignored("x/cache", true)).isTrue();
        assertThat(ignored("x/cache", false)).isFalse(); // 'cache/' matches folders only
        assertThat(ignored("x/cache/inside.bin")).isTrue(); // below an ignored folder
        assertThat(ignored("top.txt")).isTrue();
        assertThat(ignored("sub/top.txt")).isFalse(); // anchored to the file's folder
        assertThat(ignored("data/raw/a.csv")).isTrue();
        assertThat(ignored("data/raw/deeper/a.csv")).isFalse(); // '*' does not cross '/'
        assertThat(ignored("other/data/raw/a.csv")).isFalse();
        assertThat(ignored("scratch", true)).isTrue();
        assertThat(ignored("a/b/scratch/x")).isTrue();
        assertThat(ignored("logs/a/b.txt")).isTrue();
        assertThat(ignored("logs", true)).isFalse(); // 'logs/**' is what is inside, not the folder
        assertThat(ignored("file7.bin")).isTrue();
        assertThat(ignored("fileX.bin")).isFalse();
        assertThat(ignored("q1.txt")).isTrue();
        assertThat(ignored("q12.txt")).isFalse();
        assertThat(ignored("#literal")).isTrue();
        assertThat(ignored("trailing")).isTrue(); // trailing spaces are not part of the pattern
        assertThat(ignored("plain.txt")).isFalse();
        assertThat(IgnoreRules.check(root, "d/keep.tmp", false))
                .contains(new IgnoreRules.Match(".mlvignore", 3, "!keep.tmp", true));
        assertThat(IgnoreRules.check(root, "x/cache/inside.bin", false))
                .contains(new IgnoreRules.Match(".mlvignore", 5, "cache/", false));
    }

    @Test
    void aDeeperFileDecidesOverAnOuterOneAndAppliesOnlyBelowItsFolder() throws Exception {
        write(".mlvignore", "*.log\n");
        write("data/.mlvignore", "!important.log\n/local.txt\n");
        assertThat(ignored("data/important.log")).isFalse();
        assertThat(ignored("data/sub/important.log")).isFalse();
        assertThat(ignored("important.log")).isTrue(); // the deeper rule does not reach up
        assertThat(ignored("data/local.txt")).isTrue();
        assertThat(ignored("data/sub/local.txt")).isFalse();
        assertThat(ignored("local.txt")).isFalse();
        assertThat(IgnoreRules.check(root, "data/important.log", false))
                .contains(new IgnoreRules.Match("data/.mlvignore", 1, "!important.log", true));
    }

    @Test
    void nothingBelowAnIgnoredFolderCanBeReincluded() throws Exception {
        write(".mlvignore", "build/\n!build/keep.txt\n");
        assertThat(ignored("build/keep.txt")).isTrue();
        assertThat(IgnoreRules.check(root, "nothing/here.txt", false)).isEqualTo(Optional.empty());
    }

    @Test
    void addStatusAndCheckoutLeaveIgnoredFilesAlone() throws Exception {
        write("data/a.csv", "alpha");
        write("data/sub/b.csv", "beta");
        write("data/.DS_Store", "finder");
        write("data/sub/tmp/partial.csv", "half");
        write("data/.mlvignore", ".DS_Store\ntmp/\n");
        try (DataRepo r = DataRepo.open(root, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            r.add(List.of(root.resolve("data").toString()));
            PointerFile.Out out = PointerFile.read(root.resolve("data.mlv")).outs().get(0);
            assertThat(r.cache().readManifest(out.digest()).entries()).extracting(Manifest.Entry::relpath)
                    .containsExactly(".mlvignore", "a.csv", "sub/b.csv");
            assertThat(out.nfiles()).isEqualTo(3);

            // changes to ignored files are not changes to the data
            write("data/.DS_Store", "finder again");
            write("data/sub/tmp/more.csv", "more");
            assertThat(r.status(r.targets(List.of()))).isEmpty();

            // checkout --force puts back the tracked files and deletes untracked ones, but not ignored ones
            write("data/a.csv", "ALPHA");
            write("data/extra.csv", "extra");
            r.checkout(r.targets(List.of()), true);
            assertThat(Files.readString(root.resolve("data/a.csv"))).isEqualTo("alpha");
            assertThat(root.resolve("data/extra.csv")).doesNotExist();
            assertThat(Files.readString(root.resolve("data/.DS_Store"))).isEqualTo("finder again");
            assertThat(root.resolve("data/sub/tmp/partial.csv")).exists();

            // an ignored path is refused by add, with the rule that ignores it
            assertThatThrownBy(() -> r.add(List.of(root.resolve("data/sub/tmp").toString())))
                    .isInstanceOf(MlvException.class);
            write("notes.tmp", "x");
            write(".mlvignore", "*.tmp\n");
            assertThatThrownBy(() -> r.add(List.of(root.resolve("notes.tmp").toString())))
                    .isInstanceOf(MlvException.class).hasMessageContaining(".mlvignore:1 ('*.tmp')");
            assertThat(root.resolve("notes.tmp.mlv")).doesNotExist();
        }
    }

    @Test
    void aTrackedFileIgnoredLaterIsReportedDeletedButCheckoutDoesNotOverwriteItsChanges() throws Exception {
        write("data/a.csv", "alpha");
        write("data/b.tmp", "beta");
        try (DataRepo r = DataRepo.open(root, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            r.add(List.of(root.resolve("data").toString()));
            write(".mlvignore", "*.tmp\n");
            write("data/b.tmp", "edited, never added");
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/b.tmp", "deleted"));
            assertThatThrownBy(() -> r.checkout(r.targets(List.of()), false)).isInstanceOf(MlvException.class)
                    .hasMessageContaining("data/b.tmp");
            assertThat(Files.readString(root.resolve("data/b.tmp"))).isEqualTo("edited, never added");
            r.checkout(r.targets(List.of()), true);
            assertThat(Files.readString(root.resolve("data/b.tmp"))).isEqualTo("beta");
        }
    }

    @Test
    void pointersInIgnoredFoldersAreNotSeen() throws Exception {
        write("kept/a.csv", "alpha");
        write("scratch/b.csv", "beta");
        write("other/c.tmp", "gamma");
        try (DataRepo r = DataRepo.open(root, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            r.add(List.of(root.resolve("kept/a.csv").toString(), root.resolve("scratch/b.csv").toString(),
                    root.resolve("other/c.tmp").toString()));
            assertThat(r.allTracked()).hasSize(3);
            write(".mlvignore", "scratch/\n*.tmp.mlv\n");
            assertThat(r.allTracked()).extracting(t -> root.relativize(t.pointer()).toString()).containsExactly("kept/a.csv.mlv");
        }
    }

    @Test
    void aLinkLeftOutMayPointAnywhere() throws Exception {
        write("data/a.csv", "alpha");
        Files.createSymbolicLink(root.resolve("data/venv"), dir);
        write("data/.mlvignore", "venv\n");
        try (DataRepo r = DataRepo.open(root, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            r.add(List.of(root.resolve("data").toString()));
            assertThat(PointerFile.read(root.resolve("data.mlv")).outs().get(0).nfiles()).isEqualTo(2);
        }
    }
}
