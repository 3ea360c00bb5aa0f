package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DataRepoTest {
    @TempDir
    Path dir;
    Path root;
    final StateCache state = StateCache.inMemory();

    @BeforeEach
    void init() {
        root = DataRepo.init(dir.resolve("repo"));
    }

    DataRepo open() {
        return DataRepo.open(root, "test", m -> state, Progress.SILENT);
    }

    Path write(String rel, String content) throws Exception {
        Path p = root.resolve(rel);
        Files.createDirectories(p.getParent());
        Files.writeString(p, content);
        return p;
    }

    String s(String rel) {
        return root.resolve(rel).toString();
    }

    /** Writes a file last changed a minute ago, so its stamp has settled ({@link DataRepo#SETTLE_NANOS}). */
    Path writeSettled(String rel, String content) throws Exception {
        Path p = write(rel, content);
        Files.setLastModifiedTime(p, FileTime.from(Instant.now().minusSeconds(60)));
        return p;
    }

    @Test
    void addWritesPointersGitignoreAndReadOnlyObjects() throws Exception {
        write("data/a.txt", "alpha");
        write("data/sub/b.txt", "beta");
        write("single.csv", "x,y\n1,2\n");
        try (DataRepo r = open()) {
            r.add(List.of(s("data"), s("single.csv")));
            PointerFile d = PointerFile.read(root.resolve("data.mlv"));
            assertThat(d.outs().get(0).nfiles()).isEqualTo(2);
            assertThat(d.outs().get(0).size()).isEqualTo(9);
            Manifest m = r.cache().readManifest(d.outs().get(0).digest());
            assertThat(m.entries()).extracting(Manifest.Entry::relpath).containsExactly("a.txt", "sub/b.txt");
            String fileDigest = PointerFile.read(root.resolve("single.csv.mlv")).outs().get(0).digest();
            assertThat(fileDigest).isEqualTo(Digests.sha256("x,y\n1,2\n".getBytes()));
            assertThat(Files.getPosixFilePermissions(r.cache().objectPath(fileDigest))).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
            assertThat(Files.readAllLines(root.resolve(".gitignore"))).containsExactly("/data", "/single.csv");
            r.add(List.of(s("single.csv"))); // idempotent
            assertThat(Files.readAllLines(root.resolve(".gitignore"))).containsExactly("/data", "/single.csv");
            assertThat(r.status(r.targets(List.of()))).isEmpty();
        }
    }

    @Test
    void addLeavesTheWorkspaceFileAloneAndTheObjectAReadOnlyCopy() throws Exception {
        Path f = write("data/a.txt", "alpha");
        Object inode = Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            Path obj = r.cache().objectPath(Digests.sha256("alpha".getBytes()));
            assertThat(Files.readAttributes(f, java.nio.file.attribute.BasicFileAttributes.class).fileKey()).isEqualTo(inode);
            assertThat(Files.isSameFile(f, obj)).isFalse();
            Files.writeString(f, "edited in place");
            assertThat(Files.readString(obj)).isEqualTo("alpha");
            assertThat(r.fsck().corrupt()).isEmpty();
        }
    }

    @Test
    void statusReportsPerFileChanges() throws Exception {
        write("data/a.txt", "alpha");
        write("data/b.txt", "beta");
        write("f.bin", "one");
        try (DataRepo r = open()) {
            r.add(List.of(s("data"), s("f.bin")));
            write("data/a.txt", "ALPHA");
            write("data/c.txt", "new");
            Files.delete(root.resolve("data/b.txt"));
            Files.delete(root.resolve("f.bin"));
            assertThat(r.status(r.targets(List.of()))).containsExactly(
                    new DataRepo.Change("data/a.txt", "modified"), new DataRepo.Change("data/b.txt", "deleted"),
                    new DataRepo.Change("data/c.txt", "added"), new DataRepo.Change("f.bin", "deleted"));

            // the pointers' versions gone from the cache (as when a git pull brought new pointers): status says so
            for (String content : List.of("alpha", "beta", "one")) {
                Files.delete(r.cache().objectPath(Digests.sha256(content.getBytes(java.nio.charset.StandardCharsets.UTF_8))));
            }
            assertThat(r.status(r.targets(List.of()))).containsExactly(
                    new DataRepo.Change("data/a.txt", "modified", false), new DataRepo.Change("data/b.txt", DataRepo.Change.NOT_IN_CACHE),
                    new DataRepo.Change("data/c.txt", "added"), new DataRepo.Change("f.bin", DataRepo.Change.NOT_IN_CACHE));
        }
    }

    @Test
    void statusTrustsADirectorySeenUnchangedAndStillNoticesEveryChange() throws Exception {
        writeSettled("data/a.txt", "alpha");
        writeSettled("data/sub/b.txt", "beta");
        java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
        StateCache counting = new StateCache() {
            public java.util.Optional<String> lookup(String path, Stamp stamp) {
                lookups.incrementAndGet();
                return state.lookup(path, stamp);
            }

            public java.util.Optional<DirectoryStamp> directory(String path) {
                return state.directory(path);
            }

            public void record(String path, Stamp stamp, String digest) {
                state.record(path, stamp, digest);
            }

            public void recordDirectory(String path, DirectoryStamp stamp) {
                state.recordDirectory(path, stamp);
            }

            public void retain(java.util.function.Predicate<String> keep) {
                state.retain(keep);
            }

            public void move(String from, String to) {
                state.move(from, to);
            }

            public void flush() {
            }
        };
        try (DataRepo r = DataRepo.open(root, "test", m -> counting, Progress.SILENT)) {
            r.add(List.of(s("data")));
            assertThat(state.directory("data")).isPresent();
            lookups.set(0);
            assertThat(r.status(r.targets(List.of()))).isEmpty();
            assertThat(lookups.get()).as("no per-file lookups for a directory seen unchanged").isZero();

            Path a = root.resolve("data/a.txt");
            FileTime before = Files.getLastModifiedTime(a);
            Files.writeString(a, "ALPHA");                                 // same size, same inode
            Files.setLastModifiedTime(a, FileTime.fromMillis(before.toMillis() + 2000));
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/a.txt", "modified"));
            Files.writeString(a, "alpha");
            Files.setLastModifiedTime(a, FileTime.fromMillis(before.toMillis() + 4000)); // touched back: same content
            assertThat(r.status(r.targets(List.of()))).isEmpty();
            lookups.set(0);
            assertThat(r.status(r.targets(List.of()))).isEmpty();
            assertThat(lookups.get()).as("the clean status recorded the directory again").isZero();

            Files.move(root.resolve("data/sub/b.txt"), root.resolve("data/sub/c.txt")); // same inode, stamp and content
            assertThat(r.status(r.targets(List.of()))).containsExactly(
                    new DataRepo.Change("data/sub/b.txt", "deleted"), new DataRepo.Change("data/sub/c.txt", "added"));
            Files.move(root.resolve("data/sub/c.txt"), root.resolve("data/sub/b.txt"));
            write("data/new.txt", "n");
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/new.txt", "added"));
            Files.delete(root.resolve("data/new.txt"));
            assertThat(r.status(r.targets(List.of(s("data/sub"))))).isEmpty(); // a subpath takes the file-by-file way
            assertThat(r.status(r.targets(List.of()))).isEmpty();
        }
    }

    @Test
    void theStateForgetsFilesThatAreGoneAndDataNoLongerTracked() throws Exception {
        writeSettled("data/a.txt", "alpha");
        writeSettled("data/b.txt", "beta");
        writeSettled("other/c.txt", "gamma");
        StateCache.Stamp a = DataRepo.stamp(Files.readAttributes(root.resolve("data/a.txt"), java.nio.file.attribute.BasicFileAttributes.class));
        StateCache.Stamp b = DataRepo.stamp(Files.readAttributes(root.resolve("data/b.txt"), java.nio.file.attribute.BasicFileAttributes.class));
        StateCache.Stamp c = DataRepo.stamp(Files.readAttributes(root.resolve("other/c.txt"), java.nio.file.attribute.BasicFileAttributes.class));
        try (DataRepo r = open()) {
            r.add(List.of(s("data"), s("other")));
            assertThat(state.lookup("data/b.txt", b)).isPresent();
            Files.delete(root.resolve("data/b.txt"));
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/b.txt", "deleted"));
            assertThat(state.lookup("data/b.txt", b)).isEmpty();
            assertThat(state.lookup("data/a.txt", a)).isPresent();

            Files.delete(root.resolve("other.mlv")); // no longer tracked
            r.gc(false, true);
            assertThat(state.lookup("other/c.txt", c)).as("a dry run changes nothing").isPresent();
            r.gc(false, false);
            assertThat(state.lookup("other/c.txt", c)).isEmpty();
            assertThat(state.directory("other")).isEmpty();
            assertThat(state.lookup("data/a.txt", a)).isPresent();
            assertThat(state.directory("data")).isPresent();
        }
    }

    @Test
    void aStampReadRightAfterAChangeIsNotTrustedLater() throws Exception {
        Path fresh = write("data/a.txt", "alpha");     // just written: a change in the same clock tick is possible
        Path settled = writeSettled("f.bin", "one");
        try (DataRepo r = open()) {
            StateCache.Stamp freshStamp = DataRepo.stamp(Files.readAttributes(fresh, java.nio.file.attribute.BasicFileAttributes.class));
            StateCache.Stamp settledStamp = DataRepo.stamp(Files.readAttributes(settled, java.nio.file.attribute.BasicFileAttributes.class));
            r.add(List.of(s("data"), s("f.bin")));
            assertThat(state.lookup("f.bin", settledStamp)).as("a settled stamp is remembered").isPresent();
            assertThat(state.lookup("data/a.txt", freshStamp)).as("a fresh one is not").isEmpty();
            assertThat(state.directory("data")).as("nor a directory with a fresh stamp in it").isEmpty();
            FileTime tick = Files.getLastModifiedTime(fresh);
            Files.writeString(fresh, "ALPHA");         // same size, same inode
            Files.setLastModifiedTime(fresh, tick);    // and, as within one tick, the same time
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/a.txt", "modified"));
        }
    }

    @Test
    void reflinkCheckoutFallsBackToVerifiedCopiesWhereTheFileSystemCannotClone() throws Exception {
        // ext4 (these machines, CI) cannot clone: one failed cp, then copies; a set MLV_TEST_REFLINK_DIR (a folder on
        // XFS or Btrfs) runs the same checks on clones too
        reflinkCheckout(root);
        String reflinkDir = System.getenv("MLV_TEST_REFLINK_DIR");
        if (reflinkDir != null) reflinkCheckout(DataRepo.init(Files.createTempDirectory(Path.of(reflinkDir), "repo")));
    }

    private void reflinkCheckout(Path repo) throws Exception {
        java.util.Map<String, byte[]> files = new java.util.TreeMap<>();
        java.util.Random rnd = new java.util.Random(5);
        for (int i = 0; i < 2 * 1000 + 7; i++) { // the probe, two full batches of clones and a part of one
            byte[] b = new byte[i % 50 == 0 ? 0 : 1 + rnd.nextInt(9000)];
            if (i % 10 != 3) rnd.nextBytes(b); // some share their bytes: a digest named twice is copied the second time
            files.put("tree/d" + (i % 7) + "/f" + i, b);
        }
        for (var e : files.entrySet()) {
            Path p = repo.resolve(e.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, e.getValue());
        }
        byte[] big = new byte[Hashing.PIPELINE_THRESHOLD + 5];
        rnd.nextBytes(big);
        files.put("tree/big.bin", big); // large: added as a clone where the file system can
        Files.write(repo.resolve("tree/big.bin"), big);
        try (DataRepo r = DataRepo.open(repo, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            assertThat(r.config().linkType()).as("the default").isEqualTo(LinkType.REFLINK);
            r.add(List.of(repo.resolve("tree").toString()));
            // a clone is the cache's own: writing the workspace file in place leaves the object as it was added
            try (var out = java.nio.channels.FileChannel.open(repo.resolve("tree/big.bin"), java.nio.file.StandardOpenOption.WRITE)) {
                out.write(java.nio.ByteBuffer.wrap("overwritten in place".getBytes()), 0);
            }
            assertThat(r.fsck().corrupt()).isEmpty();
            DataGet.deleteTree(repo.resolve("tree"));
            assertThat(r.checkout(r.targets(List.of()), false).restored()).isEqualTo(files.size());
            for (var e : files.entrySet()) assertThat(Files.readAllBytes(repo.resolve(e.getKey()))).as(e.getKey()).isEqualTo(e.getValue());
            assertThat(r.status(r.targets(List.of()))).isEmpty();
            // the workspace file is the user's to change: writable, and independent of the cache object it came from
            Path first = repo.resolve("tree/d1/f1");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first))).isEqualTo("rw-r--r--");
            Files.write(first, "changed".getBytes(), java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
            assertThat(r.fsck().corrupt()).isEmpty();
            try (var tmp = Files.list(r.cache().root().resolve("tmp"))) {
                assertThat(tmp).as("no clone folders left").isEmpty();
            }
        }
    }

    @Test
    void checkoutRestoresButNeverSilentlyDestroysUncommittedWork() throws Exception {
        write("data/a.txt", "v1");
        write("data/b.txt", "b");
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            write("data/a.txt", "my precious uncommitted edit");
            write("data/extra.txt", "also uncommitted");
            assertThatThrownBy(() -> r.checkout(r.targets(List.of()), false)).isInstanceOf(MlvException.class)
                    .hasMessageContaining("data/a.txt").hasMessageContaining("--force");
            assertThat(Files.readString(root.resolve("data/a.txt"))).isEqualTo("my precious uncommitted edit");
            assertThat(root.resolve("data/extra.txt")).exists();
            // a deleted file is restored without --force; committed content (in the cache) may be replaced
            Files.writeString(root.resolve("data/a.txt"), "v1");
            Files.delete(root.resolve("data/extra.txt"));
            Files.delete(root.resolve("data/b.txt"));
            DataRepo.CheckoutResult c = r.checkout(r.targets(List.of()), false);
            assertThat(c.restored()).isEqualTo(1);
            assertThat(Files.readString(root.resolve("data/b.txt"))).isEqualTo("b");
            write("data/a.txt", "edit");
            r.checkout(r.targets(List.of(s("data/a.txt"))), true);
            assertThat(Files.readString(root.resolve("data/a.txt"))).isEqualTo("v1");
        }
    }

    @Test
    void pathsOutsideTheRepositoryAndEscapingSymlinksAreRefused() throws Exception {
        Path outside = Files.writeString(dir.resolve("outside.txt"), "secret");
        Files.createDirectories(root.resolve("data"));
        Files.createSymbolicLink(root.resolve("data/link"), outside);
        Files.createSymbolicLink(root.resolve("escape"), dir);
        try (DataRepo r = open()) {
            assertThatThrownBy(() -> r.add(List.of(outside.toString()))).isInstanceOf(MlvException.class).hasMessageContaining("outside the repository");
            assertThatThrownBy(() -> r.add(List.of(s("../outside.txt")))).isInstanceOf(MlvException.class);
            assertThatThrownBy(() -> r.add(List.of(s("data")))).isInstanceOf(MlvException.class).hasMessageContaining("outside the repository");
            assertThatThrownBy(() -> r.add(List.of(s("escape/outside.txt")))).isInstanceOf(MlvException.class).hasMessageContaining("symlink");
            assertThatThrownBy(() -> r.add(List.of(s(".mlv/config")))).isInstanceOf(MlvException.class);
        }
        Files.writeString(root.resolve("evil.mlv"), "outs:\n- path: ../../outside.txt\n  hash: sha256\n  digest: " + "a".repeat(64) + "\n  size: 1\n");
        try (DataRepo r = open()) {
            assertThatThrownBy(() -> r.targets(List.of())).isInstanceOf(MlvException.class).hasMessageContaining("evil.mlv");
        }
    }

    @Test
    void fsckQuarantinesCorruptObjectsAndCheckoutDetectsThem() throws Exception {
        write("f.txt", "hello world");
        try (DataRepo r = open()) {
            r.add(List.of(s("f.txt")));
            String d = PointerFile.read(root.resolve("f.txt.mlv")).outs().get(0).digest();
            Path obj = r.cache().objectPath(d);
            obj.toFile().setWritable(true);
            Files.writeString(obj, "hello World");
            Files.delete(root.resolve("f.txt"));
            assertThatThrownBy(() -> r.checkout(r.targets(List.of()), false)).isInstanceOf(MlvException.class).hasMessageContaining("corrupt");
            assertThat(root.resolve("f.txt")).doesNotExist();
            r.add(List.of()); // nothing
        }
        write("g.txt", "other");
        try (DataRepo r = open()) {
            r.add(List.of(s("g.txt")));
            String d = PointerFile.read(root.resolve("g.txt.mlv")).outs().get(0).digest();
            Path obj = r.cache().objectPath(d);
            obj.toFile().setWritable(true);
            Files.writeString(obj, "otheR");
            Files.writeString(r.cache().root().resolve("tmp/leftover.tmp"), "partial");
            Path lane = Files.createDirectory(r.cache().root().resolve("tmp/lane.tmp")); // a killed checkout's folder
            Files.writeString(lane.resolve("1.tmp"), "partial");
            DataRepo.FsckResult f = r.fsck();
            assertThat(f.corrupt()).containsExactly(d);
            assertThat(f.leftoversRemoved()).isEqualTo(2);
            assertThat(lane).doesNotExist();
            assertThat(obj).doesNotExist();
            assertThat(Files.list(root.resolve(".mlv/quarantine")).count()).isEqualTo(2);
            assertThat(r.fsck().corrupt()).isEmpty();
        }
    }

    @Test
    void jobsSetsHowManyObjectsPushAndFetchTransferAtOnce() throws Exception {
        for (int i = 0; i < 12; i++) write("data/f" + i + ".txt", "file " + i);
        Remote local = new LocalRemote(dir.resolve("remote"));
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Remote watched = new Remote() { // the remote, noting which threads transfer
            public String url() {
                return local.url();
            }

            public java.util.Set<String> missing(java.util.Collection<String> names) {
                return local.missing(names);
            }

            public void upload(String name, Path file, long size) {
                threads.add(Thread.currentThread().getName());
                local.upload(name, file, size);
            }

            public java.io.InputStream open(String name) {
                threads.add(Thread.currentThread().getName());
                return local.open(name);
            }
        };
        String caller = Thread.currentThread().getName();
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            assertThatThrownBy(() -> r.jobs(0)).isInstanceOf(MlvException.class).hasMessageContaining("jobs must be a whole number from 1 to 128");
            assertThat(r.jobs(1).push(watched, r.targets(List.of())).transferred()).isEqualTo(13); // 12 files, 1 manifest
            assertThat(threads).containsExactly(caller); // one at a time: on the calling thread
        }
        Files.move(root.resolve(".mlv/cache"), dir.resolve("old-cache"));
        threads.clear();
        try (DataRepo r = open()) {
            assertThat(r.fetch(watched, r.targets(List.of())).transferred()).isEqualTo(13);
            assertThat(threads).anyMatch(t -> t.startsWith("mlv-data-")); // the files: the remote's default, 8 at once
        }
    }

    @Test
    void largeObjectsAreFetchedAndCheckedOutByFileAndVerified() throws Exception {
        byte[] big = new byte[Hashing.PIPELINE_THRESHOLD + 4097]; // the direct-I/O path, with a partial last block
        new java.util.Random(3).nextBytes(big);
        Files.createDirectories(root.resolve("data"));
        Files.write(root.resolve("data/big.bin"), big);
        write("data/small.txt", "small");
        String digest = Digests.sha256(big);
        Path remoteDir = dir.resolve("remote");
        try (DataRepo r = open(); Remote remote = new LocalRemote(remoteDir)) {
            r.add(List.of(s("data")));
            assertThat(r.push(remote, r.targets(List.of())).ok()).isTrue();
        }
        Path remoteObject = remoteDir.resolve("sha256/" + digest.substring(0, 2) + "/" + digest.substring(2));
        Files.move(root.resolve(".mlv/cache"), dir.resolve("old-cache"));
        DataGet.deleteTree(root.resolve("data"));
        try (DataRepo r = open(); Remote remote = new LocalRemote(remoteDir)) {
            assertThat(r.fetch(remote, r.targets(List.of())).ok()).isTrue();
            assertThat(Files.readAllBytes(r.cache().objectPath(digest))).isEqualTo(big);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(r.cache().objectPath(digest)))).isEqualTo("r--r--r--");
            r.checkout(r.targets(List.of()), false);
            assertThat(Files.readAllBytes(root.resolve("data/big.bin"))).isEqualTo(big);
            assertThat(r.status(r.targets(List.of()))).isEmpty();

            // a corrupt object is refused, whichever copy it is in, and leaves nothing behind
            Path cached = r.cache().objectPath(digest);
            cached.toFile().setWritable(true);
            flipLastByte(cached);
            Files.delete(root.resolve("data/big.bin"));
            assertThatThrownBy(() -> r.checkout(r.targets(List.of()), false)).isInstanceOf(MlvException.class).hasMessageContaining("was corrupt");
            assertThat(cached).doesNotExist(); // quarantined
            assertThat(root.resolve("data/big.bin")).doesNotExist();
            remoteObject.toFile().setWritable(true);
            flipLastByte(remoteObject);
            DataRepo.TransferResult fetched = r.fetch(remote, r.targets(List.of()));
            assertThat(fetched.failures()).singleElement().asString().contains("is corrupt");
            assertThat(cached).doesNotExist();
            Files.delete(remoteObject);
            assertThat(r.fetch(remote, r.targets(List.of())).failures()).singleElement().asString().contains("is not in remote");
            try (var tmp = Files.list(r.cache().root().resolve("tmp"));
                 var prefix = Files.list(cached.getParent())) {
                assertThat(tmp).as("no temp folders left").isEmpty();
                assertThat(prefix).as("no temp files left").isEmpty();
            }
        }
    }

    private static void flipLastByte(Path f) throws Exception {
        byte[] b = Files.readAllBytes(f);
        b[b.length - 1] ^= 1;
        Files.write(f, b);
    }

    @Test
    void pushNeedsADirectorysManifestOnlyWhenTheRemoteLacksIt() throws Exception {
        for (int i = 0; i < 3; i++) write("data/f" + i + ".txt", "file " + i);
        Remote full = new LocalRemote(dir.resolve("full"));
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            assertThat(r.push(full, r.targets(List.of())).transferred()).isEqualTo(4);
        }
        Files.move(root.resolve(".mlv/cache"), dir.resolve("old-cache")); // as after import-url --to-remote
        try (DataRepo r = open()) {
            DataRepo.TransferResult again = r.push(full, r.targets(List.of()));
            assertThat(again.ok()).isTrue();
            assertThat(again.transferred()).isZero();
            assertThat(again.skipped()).isEqualTo(1); // the manifest: the remote holds it
            assertThatThrownBy(() -> r.push(new LocalRemote(dir.resolve("empty")), r.targets(List.of())))
                    .hasMessageContaining("is not in the cache; nothing to push for it");
        }
    }

    @Test
    void repositoriesShareACacheDirAndGcKeepsWhatEachNamedOneReferences() throws Exception {
        Path other = DataRepo.init(dir.resolve("other"));
        Files.writeString(other.resolve("theirs.txt"), "theirs");
        write("mine.txt", "mine");
        String mine, theirs;
        for (Path repo : List.of(root, other)) {
            try (DataRepo r = DataRepo.open(repo, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
                r.saveConfig(r.config().withCacheDir("../shared").withGcGrace(java.time.Duration.ZERO));
            }
        }
        try (DataRepo r = DataRepo.open(other, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
            assertThat(r.sharedCache()).isTrue();
            r.add(List.of(other.resolve("theirs.txt").toString()));
            theirs = PointerFile.read(other.resolve("theirs.txt.mlv")).outs().get(0).digest();
        }
        try (DataRepo r = open()) {
            r.add(List.of(s("mine.txt")));
            mine = PointerFile.read(root.resolve("mine.txt.mlv")).outs().get(0).digest();
            assertThat(r.cache().root()).isEqualTo(dir.resolve("shared"));
            assertThat(dir.resolve("shared/sha256/" + mine.substring(0, 2) + "/" + mine.substring(2))).isRegularFile();
            assertThat(root.resolve(".mlv/cache/sha256")).isEmptyDirectory();

            assertThatThrownBy(() -> r.gc(false, false)).hasMessageContaining("may be shared: name every repository that uses it with --projects");
            assertThat(r.gc(false, false, List.of(Path.of("../other"))).removed()).isEmpty(); // relative to the top
            assertThat(r.gc(false, true, List.of(Path.of("."))).removed()).containsExactly(theirs); // only this one: theirs goes

            // a temp file in a shared cache may be another repository's object being written: fsck keeps it a while
            Path young = Files.writeString(dir.resolve("shared/tmp/young.tmp"), "x");
            Path old = Files.writeString(dir.resolve("shared/tmp/old.tmp"), "x");
            Files.setLastModifiedTime(old, FileTime.from(Instant.now().minus(DataRepo.SHARED_LEFTOVER_AGE).minusSeconds(60)));
            assertThat(r.fsck().leftoversRemoved()).isEqualTo(1);
            assertThat(young).exists();
            assertThat(old).doesNotExist();

            assertThatThrownBy(() -> r.saveConfig(r.config().withCacheDir("data/cache"))).hasMessageContaining("lies inside the repository");
            assertThatThrownBy(() -> r.saveConfig(r.config().withCacheDir(" "))).hasMessageContaining("Invalid cache_dir");
            r.saveConfig(r.config().withCacheDir(null));
            assertThat(DataConfig.read(root.resolve(".mlv/config")).cacheDir()).isNull();
        }
        try (DataRepo r = open()) {
            assertThat(r.sharedCache()).isFalse();
            assertThat(r.cache().root()).isEqualTo(root.resolve(".mlv/cache"));
        }
    }

    /**
     * While a gc removes objects from a shared cache, the repositories it named stay locked: a command there (say, an
     * add that finds one of those objects already cached, and writes a pointer to it without writing it again) waits
     * until the objects are gone, and then writes them anew.
     */
    @Test
    void gcKeepsTheNamedRepositoriesLockedUntilItHasRemovedWhatItRemoves() throws Exception {
        Path other = DataRepo.init(dir.resolve("other"));
        write("old.txt", "judged unreferenced");
        for (Path repo : List.of(root, other)) {
            try (DataRepo r = DataRepo.open(repo, "test", m -> StateCache.inMemory(), Progress.SILENT)) {
                r.saveConfig(r.config().withCacheDir("../shared").withGcGrace(java.time.Duration.ZERO));
            }
        }
        try (DataRepo r = open()) {
            r.add(List.of(s("old.txt")));
        }
        Files.delete(root.resolve("old.txt.mlv")); // no pointer names the object any more
        List<String> otherCommand = new java.util.concurrent.CopyOnWriteArrayList<>();
        Thread[] contender = new Thread[1];
        Progress probe = new Progress() {
            @Override
            public void message(String line) {
            }

            @Override
            public Task start(String name, long total, boolean bytes) {
                if (name.startsWith("removing")) { // the gc is about to remove: a command in the other repository now
                    java.util.concurrent.CountDownLatch told = new java.util.concurrent.CountDownLatch(1);
                    contender[0] = new Thread(() -> {
                        Progress tell = new Progress() {
                            @Override
                            public void message(String line) {
                                otherCommand.add(line);
                                told.countDown();
                            }

                            @Override
                            public Task start(String n, long t, boolean b) {
                                return SILENT.start(n, t, b);
                            }
                        };
                        try (DataRepo o = DataRepo.open(other, "add", m -> StateCache.inMemory(), tell)) {
                            otherCommand.add("ran");
                        }
                        told.countDown();
                    });
                    contender[0].start();
                    try {
                        assertThat(told.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                    } catch (InterruptedException e) {
                        throw new AssertionError(e);
                    }
                }
                return SILENT.start(name, total, bytes);
            }
        };
        try (DataRepo r = DataRepo.open(root, "gc", m -> state, probe)) {
            assertThat(r.gc(false, false, List.of(Path.of("../other"))).removed()).hasSize(1);
        }
        contender[0].join(30_000);
        assertThat(otherCommand).hasSize(2);
        assertThat(otherCommand.get(0)).startsWith("waiting for another mlv data command in this repository to finish");
        assertThat(otherCommand.get(1)).isEqualTo("ran");
    }

    @Test
    void aGroupSharedCacheMakesItsFoldersGroupWritableAndKeepsTheirSetgidBit() throws Exception {
        Path shared = Files.createDirectories(dir.resolve("team-cache"));
        Files.setAttribute(shared, "unix:mode", 02755); // as an admin sets it up: chmod g+s
        try (DataRepo r = open()) {
            r.saveConfig(r.config().withCacheDir("../team-cache").withCacheGroupShared(true));
        }
        write("data.csv", "a,b\n");
        try (DataRepo r = open()) {
            r.add(List.of(s("data.csv")));
        }
        String digest = PointerFile.read(root.resolve("data.csv.mlv")).outs().get(0).digest();
        for (Path p : List.of(shared, shared.resolve("sha256"), shared.resolve("tmp"), shared.resolve("sha256/" + digest.substring(0, 2)))) {
            assertThat((Integer) Files.getAttribute(p, "unix:mode") & 07777).as(p.toString()).isEqualTo(02775);
        }
        assertThat(Files.getPosixFilePermissions(shared.resolve("sha256/" + digest.substring(0, 2) + "/" + digest.substring(2))))
                .as("objects stay read-only, for everyone").isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
        assertThat(DataConfig.read(root.resolve(".mlv/config")).cacheGroupShared()).isTrue();
        assertThatThrownBy(() -> DataConfig.parse("cache_shared: world\n".getBytes(java.nio.charset.StandardCharsets.UTF_8), "c"))
                .hasMessageContaining("Invalid cache_shared 'world' in c: the only value is 'group'");
    }

    @Test
    void gcKeepsReferencedAndYoungObjects() throws Exception {
        write("f.txt", "v1");
        try (DataRepo r = open()) {
            r.add(List.of(s("f.txt")));
            String v1 = PointerFile.read(root.resolve("f.txt.mlv")).outs().get(0).digest();
            write("f.txt", "v2");
            r.add(List.of(s("f.txt")));
            assertThat(r.gc(false, false).removed()).isEmpty(); // v1 is younger than the grace period
            Files.setLastModifiedTime(r.cache().objectPath(v1), FileTime.from(Instant.now().minusSeconds(7200)));
            assertThat(r.gc(false, true).removed()).containsExactly(v1);
            assertThat(r.cache().contains(v1)).isTrue(); // dry run
            assertThat(r.gc(false, false).removed()).containsExactly(v1);
            assertThat(r.cache().contains(v1)).isFalse();
            assertThat(r.status(r.targets(List.of()))).isEmpty();
        }
    }

    @Test
    void hardlinkModeKeepsTheCacheReadOnly() throws Exception {
        write("data/a.txt", "alpha");
        try (DataRepo r = open()) {
            r.saveConfig(r.config().withLinkType(LinkType.HARDLINK));
            r.add(List.of(s("data")));
            Path a = root.resolve("data/a.txt");
            assertThat(Files.getPosixFilePermissions(a)).isEqualTo(PosixFilePermissions.fromString("r--r--r--"));
            assertThat(Files.getAttribute(a, "unix:nlink")).isEqualTo(2);
            Files.delete(a);
            r.checkout(r.targets(List.of()), false);
            assertThat(Files.readString(a)).isEqualTo("alpha");
            assertThat(r.status(r.targets(List.of()))).isEmpty();
        }
    }

    @Test
    void aSecondCommandWaitsForTheLockAndSaysSo() throws Exception {
        List<String> messages = new ArrayList<>();
        CountDownLatch acquired = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (DataRepo first = open()) {
            Thread t = new Thread(() -> {
                try (DataRepo second = DataRepo.open(root, "second", m -> state, new Progress() {
                    @Override
                    public void message(String line) {
                        synchronized (messages) {
                            messages.add(line);
                        }
                    }

                    @Override
                    public Task start(String name, long total, boolean bytes) {
                        return Progress.SILENT.start(name, total, bytes);
                    }
                })) {
                    acquired.countDown();
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            t.start();
            assertThat(acquired.await(300, TimeUnit.MILLISECONDS)).isFalse();
            synchronized (messages) {
                assertThat(messages).singleElement().asString().contains("waiting for another mlv data command");
            }
        }
        assertThat(acquired.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(failure.get()).isNull();
    }

    @Test
    void removeStopsTrackingAndKeepsDataAndObjects() throws Exception {
        write("data/a.txt", "alpha");
        write("single.csv", "x,y\n");
        Files.writeString(root.resolve(".gitignore"), "*.log\n");
        try (DataRepo r = open()) {
            r.add(List.of(s("data"), s("single.csv")));
            String digest = PointerFile.read(root.resolve("single.csv.mlv")).outs().get(0).digest();
            assertThatThrownBy(() -> r.remove(List.of(s("data/a.txt")), false)).isInstanceOf(MlvException.class)
                    .hasMessageContaining("inside the tracked directory data");
            assertThatThrownBy(() -> r.remove(List.of(s("other.csv")), false)).hasMessageContaining("not tracked");

            r.remove(List.of(s("single.csv.mlv"), s("data")), false);
            assertThat(root.resolve("single.csv.mlv")).doesNotExist();
            assertThat(root.resolve("data.mlv")).doesNotExist();
            assertThat(Files.readString(root.resolve("single.csv"))).isEqualTo("x,y\n");
            assertThat(Files.readString(root.resolve("data/a.txt"))).isEqualTo("alpha");
            assertThat(Files.readAllLines(root.resolve(".gitignore"))).containsExactly("*.log");
            assertThat(r.cache().contains(digest)).isTrue();
            assertThat(r.targets(List.of())).isEmpty();
        }
    }

    @Test
    void removeWithTheDataDeletesItOnlyWhenTheCacheHoldsEveryByte() throws Exception {
        write("data/a.txt", "alpha");
        write("data/b.txt", "beta");
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            write("data/b.txt", "BETA, changed since the add");
            assertThatThrownBy(() -> r.remove(List.of(s("data")), true)).isInstanceOf(MlvException.class)
                    .hasMessageContaining("data/b.txt is modified");
            assertThat(root.resolve("data.mlv")).exists();
            assertThat(Files.readString(root.resolve("data/b.txt"))).startsWith("BETA");

            r.add(List.of(s("data")));
            Files.delete(root.resolve("data/a.txt")); // already gone: nothing to lose
            r.remove(List.of(s("data.mlv")), true);
            assertThat(root.resolve("data")).doesNotExist();
            assertThat(root.resolve("data.mlv")).doesNotExist();
            assertThat(root.resolve(".gitignore")).as("left empty, so deleted").doesNotExist();
            assertThat(r.cache().contains(Digests.sha256("BETA, changed since the add".getBytes()))).isTrue();
        }
    }

    @Test
    void moveRenamesDataPointerAndGitignoreEntriesWithoutRehashing() throws Exception {
        writeSettled("data/a.txt", "alpha");
        writeSettled("data/sub/b.txt", "beta");
        write("other/keep.txt", "not data");
        try (DataRepo r = open()) {
            r.add(List.of(s("data")));
            String digest = PointerFile.read(root.resolve("data.mlv")).outs().get(0).digest();
            r.status(r.targets(List.of()));

            DataRepo.Tracked moved = r.move(s("data"), s("archive/2026")).to();
            assertThat(moved.pointer()).isEqualTo(root.resolve("archive/2026.mlv"));
            assertThat(PointerFile.read(root.resolve("archive/2026.mlv")).outs().get(0))
                    .isEqualTo(new PointerFile.Out("2026", digest, 9, 2));
            assertThat(root.resolve("data")).doesNotExist();
            assertThat(root.resolve("data.mlv")).doesNotExist();
            assertThat(Files.readString(root.resolve("archive/2026/sub/b.txt"))).isEqualTo("beta");
            assertThat(root.resolve(".gitignore")).doesNotExist();
            assertThat(Files.readAllLines(root.resolve("archive/.gitignore"))).containsExactly("/2026");
            assertThat(state.directory("archive/2026")).as("the directory's stamp moved with it").isPresent();
            assertThat(r.status(r.targets(List.of()))).isEmpty();

            r.move(s("archive/2026.mlv"), s("other")); // into an existing directory
            assertThat(Files.readString(root.resolve("other/2026/a.txt"))).isEqualTo("alpha");
            assertThat(root.resolve("other/2026.mlv")).exists();
            assertThat(Files.readAllLines(root.resolve("other/.gitignore"))).containsExactly("/2026");

            write("taken.txt", "x");
            assertThatThrownBy(() -> r.move(s("other/2026"), s("taken.txt"))).hasMessageContaining("exists");
            assertThatThrownBy(() -> r.move(s("other/2026"), s("other/2026/inner"))).isInstanceOf(MlvException.class);
            assertThatThrownBy(() -> r.move(s("other/2026"), "/tmp/elsewhere")).hasMessageContaining("outside the repository");
            assertThat(r.status(r.targets(List.of()))).isEmpty();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = LinkType.class, names = {"HARDLINK", "SYMLINK"})
    void unprotectReplacesCacheLinksWithWritableCopiesAndLeavesTheCacheAlone(LinkType linkType) throws Exception {
        write("data/a.txt", "alpha");
        write("data/sub/b.txt", "beta");
        write("single.csv", "x,y\n");
        try (DataRepo r = open()) {
            r.saveConfig(r.config().withLinkType(linkType));
        }
        try (DataRepo r = open()) {
            r.add(List.of(s("data"), s("single.csv")));
            Path a = root.resolve("data/a.txt");
            String digest = Digests.sha256("alpha".getBytes());
            assertThat(writable(a)).isFalse();

            assertThat(r.unprotect(r.targets(List.of(s("data/a.txt"), s("single.csv"))))).isEqualTo(2);
            assertThat(Files.isSymbolicLink(a)).isFalse();
            assertThat((int) Files.getAttribute(a, "unix:nlink")).isEqualTo(1);
            assertThat(writable(a)).isTrue();
            assertThat(Files.readString(a)).isEqualTo("alpha");
            assertThat(writable(root.resolve("data/sub/b.txt"))).as("not named, still a link").isFalse();
            assertThat(r.status(r.targets(List.of()))).isEmpty();
            assertThat(r.unprotect(r.targets(List.of()))).as("only the one link left").isEqualTo(1);

            Files.writeString(a, "ALPHA, edited");
            assertThat(Files.readString(r.cache().objectPath(digest))).isEqualTo("alpha");
            assertThat(r.status(r.targets(List.of()))).containsExactly(new DataRepo.Change("data/a.txt", "modified"));
            assertThat(r.fsck().corrupt()).isEmpty();
        }
    }

    /** Whether the owner may write the file (root may write anything, so not {@link Files#isWritable}). */
    static boolean writable(Path p) throws Exception {
        return Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE);
    }
}
