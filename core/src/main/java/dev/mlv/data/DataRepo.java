package dev.mlv.data;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A repository with dataset versioning: the folder holding {@code .mlv/}. All {@code mlv data} operations live here;
 * the CLI only parses arguments and prints. Opening a repository takes its lock; {@link #close} flushes the state
 * cache and releases the lock.
 */
public final class DataRepo implements AutoCloseable {
    public static final String DIR = ".mlv";
    /** Threads for file work: twice the cores, since small-file work mostly waits on system calls. */
    private static final int THREADS = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

    private final Path root;
    private final Path mlv;
    private DataConfig config;
    private final Cache cache;
    /** The cache is {@link DataConfig#cacheDir}, outside this repository: other repositories may use it too. */
    private final boolean sharedCache;
    private final StateCache state;
    private final RepoLock lock;
    private final Progress progress;
    /** Workspace folders this command has created or checked, and whether their temp files can go to the cache's. */
    private final Map<Path, Boolean> checkedFolders = new java.util.concurrent.ConcurrentHashMap<>();
    /** Bytes {@link #status} may still hash; see {@link #limitStatusHashing}. */
    private long statusHashBudget = Long.MAX_VALUE;
    /** Pointer and .gitignore files this command wrote or deleted, for {@link #stageForGit}. */
    private final Set<Path> changedForGit = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Transfers {@link #push}, {@link #fetch} and URL imports run at once; 0: their default. */
    private int jobs;

    /**
     * Thrown by {@link #status} before it hashes when the files it would hash add up to more than the limit set by
     * {@link #limitStatusHashing}; the state records it may have written by then are the ones a rerun writes again.
     */
    public static final class HashLimitExceeded extends RuntimeException {
        public HashLimitExceeded(long bytes, long limit) {
            super("status would hash " + bytes + " bytes, more than the limit of " + limit, null, false, false);
        }
    }

    /**
     * Makes {@link #status} throw {@link HashLimitExceeded} instead of hashing more than {@code maxBytes} in all. The
     * launcher runs {@code mlv data status} with the JIT's quick compiler alone, which starts and walks a tree about
     * 30% sooner but hashes SHA-256 five times slower (the digest intrinsic is the optimizing compiler's); when much
     * has changed, the command gives up this way and the launcher runs it again with both compilers.
     */
    public void limitStatusHashing(long maxBytes) {
        statusHashBudget = maxBytes;
    }

    private void chargeStatusHashing(long bytes) {
        if (bytes > statusHashBudget) throw new HashLimitExceeded(bytes, statusHashBudget);
        statusHashBudget -= bytes;
    }

    private DataRepo(Path root, StateCache state, RepoLock lock, Progress progress) {
        this.root = root;
        this.mlv = root.resolve(DIR);
        this.config = DataConfig.ofRepository(mlv);
        Path shared = sharedCacheDir(root, config);
        this.cache = shared == null ? new Cache(mlv.resolve("cache"), mlv.resolve("quarantine"), config.cacheGroupShared())
                : new Cache(shared, shared.resolve("quarantine"), config.cacheGroupShared()); // beside it: a move into quarantine stays on its file system
        this.sharedCache = shared != null;
        this.state = state;
        this.lock = lock;
        this.progress = progress;
    }

    // ------------------------------------------------------------------ opening

    /**
     * The cache folder {@code config} names (relative: to the top of the repository), or null for the default. One
     * inside the repository is refused: git would see its objects, and gc or checkout could touch them as data.
     */
    static Path sharedCacheDir(Path root, DataConfig config) {
        if (config.cacheDir() == null) return null;
        Path dir = root.resolve(config.cacheDir()).toAbsolutePath().normalize();
        try {
            Path real = dir;
            for (Path p = dir; p != null; p = p.getParent()) { // the deepest existing folder, with symlinks resolved
                if (Files.exists(p)) {
                    real = p.toRealPath().resolve(p.relativize(dir));
                    break;
                }
            }
            if (real.startsWith(root)) {
                throw MlvException.invalid("cache_dir '" + config.cacheDir() + "' lies inside the repository: choose a folder "
                        + "outside it (the default cache is .mlv/cache)");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read cache_dir " + dir + ": " + e.getMessage(), e);
        }
        return dir;
    }

    /** True when the cache is a {@code cache_dir} outside this repository, which other repositories may share. */
    public boolean sharedCache() {
        return sharedCache;
    }

    /** Creates {@code .mlv/} (config, its .gitignore, the cache) in {@code dir}; idempotent. Returns the root. */
    public static Path init(Path dir) {
        try {
            Path root = dir.toAbsolutePath().normalize();
            Path m = root.resolve(DIR);
            Files.createDirectories(m.resolve("cache"));
            if (!Files.exists(m.resolve("config"))) DataConfig.defaults().write(m.resolve("config"));
            Path gi = m.resolve(".gitignore");
            if (!Files.exists(gi)) {
                AtomicFiles.write(gi, ("/cache\n/state.db*\n/lock\n/quarantine\n/tmp\n/" + DataConfig.LOCAL_FILE + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot initialise " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The nearest folder at or above {@code start} that holds {@code .mlv/config}. */
    public static Path findRoot(Path start) {
        Path root = rootAround(start);
        if (root != null) return root;
        throw new MlvException(ErrorCode.INVALID_STATE, "Not an mlv data repository (no .mlv/config in "
                + start.toAbsolutePath().normalize() + " or above): run 'mlv data init' at the top of your git repository");
    }

    /** As {@link #findRoot}, but null outside a repository. */
    static Path rootAround(Path start) {
        for (Path d = start.toAbsolutePath().normalize(); d != null; d = d.getParent()) {
            if (Files.isRegularFile(d.resolve(DIR).resolve("config"))) return d;
        }
        return null;
    }

    /**
     * Opens the repository containing {@code start} and takes its lock.
     *
     * @param stateFactory opens the state cache given the {@code .mlv} folder
     */
    public static DataRepo open(Path start, String command, Function<Path, StateCache> stateFactory, Progress progress) {
        Path root;
        try {
            root = findRoot(start).toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        RepoLock lock = RepoLock.acquire(root.resolve(DIR).resolve("lock"), command, progress::message);
        try {
            return new DataRepo(root, stateFactory.apply(root.resolve(DIR)), lock, progress);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    public Path root() {
        return root;
    }

    public Cache cache() {
        return cache;
    }

    /**
     * How many objects {@link #push}, {@link #fetch} and URL imports transfer at once (as DVC's {@code --jobs}),
     * instead of the remote's {@link Remote#parallelism()} (its {@code jobs} option, else its kind's default) or a
     * URL's 8; 1 to {@value Remotes#MAX_JOBS}.
     */
    public DataRepo jobs(int n) {
        this.jobs = Remotes.requireJobs(n);
        return this;
    }

    private int parallelism(Remote remote) {
        return parallelism(remote.parallelism());
    }

    /** The number set by {@link #jobs}, else {@code fallback}. */
    int parallelism(int fallback) {
        return jobs > 0 ? jobs : fallback;
    }

    Progress progress() {
        return progress;
    }

    /** The settings in effect: {@code .mlv/config} with {@code .mlv/config.local} over it. */
    public DataConfig config() {
        return config;
    }

    /** The settings of {@code .mlv/config} alone, the ones {@link #saveConfig} changes. */
    public DataConfig sharedConfig() {
        return DataConfig.read(mlv.resolve(DataConfig.FILE));
    }

    /** Writes {@code c} to {@code .mlv/config}; {@code .mlv/config.local} still overrides what it sets. */
    public void saveConfig(DataConfig c) {
        sharedCacheDir(root, c); // refuses a cache_dir inside the repository before it is saved
        c.write(mlv.resolve(DataConfig.FILE));
        this.config = DataConfig.ofRepository(mlv);
    }

    /**
     * Changes {@code .mlv/config.local} (as DVC's {@code --local}): {@code edit} changes its YAML, and {@code check}
     * sees the settings that would then be in effect before anything is written (it throws to refuse them). Keeps the
     * file out of git through {@code .mlv/.gitignore}.
     */
    public void editLocalConfig(java.util.function.Consumer<ObjectNode> edit,
                                java.util.function.Consumer<DataConfig> check) {
        Path file = mlv.resolve(DataConfig.LOCAL_FILE);
        var local = DataConfig.readTree(file);
        edit.accept(local);
        DataConfig next = DataConfig.withLocal(mlv, local);
        sharedCacheDir(root, next);
        check.accept(next);
        ensureListed(mlv.resolve(".gitignore"), "/" + DataConfig.LOCAL_FILE);
        DataConfig.writeTree(file, local);
        this.config = next;
    }

    /**
     * Opens a remote by name (null: the default remote). A relative local path in the config is relative to the
     * repository root, so the config works wherever the repository is cloned.
     */
    public Remote openRemote(String name) {
        String n = config.remoteName(name);
        return Remotes.open(resolveRemoteUrl(config.remoteUrl(n)), config.options(n));
    }

    private String resolveRemoteUrl(String url) {
        return resolveRemoteUrl(root, url);
    }

    /** A remote URL from the config of the repository at {@code root}: a relative local path made absolute against it. */
    public static String resolveRemoteUrl(Path root, String url) {
        if (dev.mlv.artifacts.ArtifactStores.schemeOf(url) == null && !Path.of(url).isAbsolute()) {
            return root.resolve(url).normalize().toString();
        }
        return url;
    }

    /**
     * Adds or replaces a remote after checking that its URL can be opened (scheme, bucket name, …); {@code local}: in
     * {@code .mlv/config.local}.
     */
    public void addRemote(String name, String url, boolean makeDefault, boolean local) {
        Remotes.open(resolveRemoteUrl(url)).close();
        if (!local) {
            saveConfig(sharedConfig().withRemote(name, url, makeDefault));
            return;
        }
        DataConfig.defaults().withRemote(name, url, false); // checks the name
        editLocalConfig(t -> {
            t.with("remotes").put(name, url);
            if (makeDefault || config.defaultRemote() == null) t.put("default_remote", name);
        }, c -> { });
    }

    /**
     * Sets option {@code key} of remote {@code name} to {@code value} (null removes it), as DVC's {@code remote modify}:
     * {@code url}, or an option its kind of remote takes (such as an S3 remote's {@code endpoint_url}). The remote is
     * opened with the new settings before they are saved, so a bad value changes nothing.
     */
    public void modifyRemote(String name, String key, String value, boolean local) {
        if (key.equals("url") && value == null) throw MlvException.invalid("A remote's url cannot be unset: remove the remote instead");
        if (!key.equals("url")) Remotes.requireKnownOptions(resolveRemoteUrl(config.remoteUrl(config.remoteName(name))), Set.of(key));
        java.util.function.Consumer<DataConfig> opens = c -> Remotes.open(resolveRemoteUrl(c.remoteUrl(name)), c.options(name)).close();
        if (local) {
            config.remoteName(name); // a remote of either file
            editLocalConfig(t -> {
                var entry = DataConfig.remoteEntry(t.path("remotes").get(name));
                if (value == null) entry.remove(key);
                else entry.put(key, value);
                if (entry.isEmpty()) t.with("remotes").remove(name);
                else t.with("remotes").set(name, entry);
            }, opens);
            return;
        }
        DataConfig shared = sharedConfig();
        DataConfig changed = key.equals("url") ? shared.withRemoteUrl(name, value) : shared.withRemoteOption(name, key, value);
        opens.accept(changed);
        saveConfig(changed);
    }

    /** Makes remote {@code name} (of either file) the default, in {@code .mlv/config.local} when {@code local}. */
    public void makeDefaultRemote(String name, boolean local) {
        if (local) editLocalConfig(t -> t.put("default_remote", name), c -> c.remoteName(name));
        else saveConfig(sharedConfig().withDefaultRemote(name));
    }

    /**
     * Removes remote {@code name} from {@code .mlv/config}, or when {@code local} from {@code .mlv/config.local} (with
     * its default there, if it was); what the remote stores is untouched.
     */
    public void removeRemote(String name, boolean local) {
        if (!local) {
            // this clone's options of the remote (without a url of their own) and its being the default go with it
            var localTree = DataConfig.readTree(mlv.resolve(DataConfig.LOCAL_FILE));
            if (!ownRemote(localTree, name)) {
                if (localTree.get("remotes") instanceof ObjectNode remotes) remotes.remove(name);
                if (name.equals(localTree.path("default_remote").asText(null))) localTree.remove("default_remote");
            }
            saveConfigs(sharedConfig().withoutRemote(name), localTree);
            return;
        }
        editLocalConfig(t -> {
            if (!t.path("remotes").has(name)) {
                throw MlvException.notFound("No remote '" + name + "' in .mlv/config.local (remove one of .mlv/config without --local)");
            }
            t.with("remotes").remove(name);
            if (name.equals(t.path("default_remote").asText(null))) t.remove("default_remote");
        }, c -> { });
    }

    /**
     * Renames remote {@code from} to {@code to} in {@code .mlv/config}, or when {@code local} in
     * {@code .mlv/config.local}. What this clone's {@code .mlv/config.local} says of a remote renamed in
     * {@code .mlv/config} (its url or options, its being the default) follows it, rather than staying behind as
     * settings of a remote that no longer exists. Both files are checked together before either is written.
     */
    public void renameRemote(String from, String to, boolean local) {
        var localTree = DataConfig.readTree(mlv.resolve(DataConfig.LOCAL_FILE));
        DataConfig shared = sharedConfig();
        boolean inLocal = localTree.path("remotes").has(from);
        boolean inShared = shared.remotes().containsKey(from);
        if (local && !ownRemote(localTree, from)) {
            throw MlvException.notFound("No remote '" + from + "' of .mlv/config.local" + (inShared ? ": it is one of .mlv/config "
                    + "(rename it without --local; this clone's settings of it follow)" : ""));
        }
        if (!local && inLocal && !inShared) {
            throw MlvException.notFound("No remote '" + from + "' in .mlv/config: it is one of .mlv/config.local (rename it with --local)");
        }
        DataConfig.defaults().withRemote(to, "-", false); // checks the name
        if (config.remotes().containsKey(to)) throw MlvException.alreadyExists("A remote named '" + to + "' already exists");
        if (inLocal) {
            var remotes = localTree.with("remotes");
            remotes.set(to, remotes.remove(from));
        }
        if (from.equals(localTree.path("default_remote").asText(null))) localTree.put("default_remote", to);
        saveConfigs(local ? null : shared.withRemoteRenamed(from, to), localTree);
    }

    /** Whether a config.local tree defines remote {@code name} itself (a url), not only options of a shared one. */
    private static boolean ownRemote(JsonNode localTree, String name) {
        var entry = localTree.path("remotes").get(name);
        return entry != null && (entry.isTextual() || entry.hasNonNull("url"));
    }

    /**
     * Writes {@code shared} to {@code .mlv/config} and {@code local} to {@code .mlv/config.local} (either may be null:
     * unchanged), once the settings they give together are known to be valid.
     */
    private void saveConfigs(DataConfig shared, ObjectNode local) {
        Path localFile = mlv.resolve(DataConfig.LOCAL_FILE);
        DataConfig next = DataConfig.parse(DataConfig.merge((shared != null ? shared : sharedConfig()).toTree(),
                local != null ? local : DataConfig.readTree(localFile)), ".mlv/config with " + DataConfig.LOCAL_FILE);
        if (shared != null) shared.write(mlv.resolve(DataConfig.FILE));
        if (local != null && (Files.exists(localFile) || !local.isEmpty())) DataConfig.writeTree(localFile, local);
        this.config = next;
    }

    /** The pointers of data imported from a {@code remote://NAME/…} URL, which name the remote {@code name}. */
    public List<Path> importedFromRemote(String name) {
        String prefix = "remote://" + name + "/";
        return allTracked().stream().filter(t -> t.file().external() != null && t.file().external().url().startsWith(prefix))
                .map(t -> root.relativize(t.pointer())).toList();
    }

    @Override
    public void close() {
        try {
            state.close();
        } finally {
            lock.close();
        }
    }

    // ------------------------------------------------------------------ paths and pointers

    /** A pointer file in the workspace with what it tracks. */
    public record Tracked(Path pointer, PointerFile file) {
        public Path dataPath(PointerFile.Out o) {
            return pointer.getParent().resolve(o.path());
        }
    }

    /** What a command works on: a pointer, optionally narrowed to one path inside a tracked directory. */
    public record Target(Tracked tracked, String subpath) {
        boolean includes(String relpath) {
            return subpath == null || relpath.equals(subpath) || relpath.startsWith(subpath + "/");
        }
    }

    /** A user path as an absolute path inside the repository; anything outside it, or escaping by symlink, is refused. */
    public Path resolveUserPath(String raw) {
        Path abs = Path.of(raw).toAbsolutePath().normalize();
        if (!abs.startsWith(root) || abs.equals(root)) {
            throw MlvException.invalid("Path '" + raw + "' is outside the repository " + root);
        }
        String rel = relative(abs);
        ArtifactPath ap = ArtifactPath.parseLiteral(rel);
        if (ap.segments().get(0).equals(DIR) || ap.segments().get(0).equals(".git")) {
            throw MlvException.invalid("Path '" + raw + "' is inside " + ap.segments().get(0) + "/");
        }
        return checkInside(ap, raw);
    }

    /**
     * The {@code .mlvignore} rule that decides {@code path} (from {@link #resolveUserPath}), a folder or a file, or
     * the one that leaves out a folder above it; empty when no rule matches.
     */
    public Optional<IgnoreRules.Match> ignoreRule(Path path, boolean folder) {
        return IgnoreRules.check(root, relative(path), folder);
    }

    private Path checkInside(ArtifactPath ap, String shown) {
        try {
            return ap.resolveUnder(root);
        } catch (MlvException e) {
            throw MlvException.invalid("Path '" + shown + "' leaves the repository through a symlink");
        }
    }

    private String relative(Path abs) {
        return root.relativize(abs).toString().replace('\\', '/');
    }

    private Tracked readTracked(Path pointer) {
        PointerFile pf = PointerFile.read(pointer);
        for (PointerFile.Out o : pf.outs()) {
            Path data = pointer.getParent().resolve(o.path()).normalize();
            if (!data.startsWith(root) || data.equals(root)) {
                throw MlvException.invalid("Malformed pointer file " + relative(pointer) + ": path '" + o.path() + "' leaves the repository");
            }
            checkInside(ArtifactPath.parseLiteral(relative(data)), o.path());
        }
        return new Tracked(pointer, pf);
    }

    /**
     * Every pointer file in the workspace (tracked directories, .git and .mlv are not descended into, nor is what
     * {@code .mlvignore} files leave out).
     */
    public List<Tracked> allTracked() {
        List<Path> pointers = new ArrayList<>();
        java.util.Deque<IgnoreRules> rules = new java.util.ArrayDeque<>(List.of(IgnoreRules.NONE));
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    String rel = relative(dir);
                    if (!dir.equals(root)) {
                        String n = dir.getFileName().toString();
                        if (n.equals(DIR) || n.equals(".git")) return FileVisitResult.SKIP_SUBTREE;
                        if (Files.exists(dir.resolveSibling(n + PointerFile.SUFFIX))) return FileVisitResult.SKIP_SUBTREE;
                        if (rules.peek().ignores(rel, true)) return FileVisitResult.SKIP_SUBTREE;
                    }
                    rules.push(rules.peek().enter(dir, rel));
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) {
                    rules.pop();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && file.getFileName().toString().endsWith(PointerFile.SUFFIX)
                            && !rules.peek().ignores(relative(file), false)) {
                        pointers.add(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException exc) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        pointers.sort(null);
        List<Tracked> out = new ArrayList<>();
        for (Path p : pointers) out.add(readTracked(p));
        return out;
    }

    /** Targets from user arguments: pointer files, data paths, folders holding pointers, or paths inside tracked folders. */
    public List<Target> targets(List<String> args) {
        if (args == null || args.isEmpty()) {
            return allTracked().stream().map(t -> new Target(t, null)).toList();
        }
        List<Target> out = new ArrayList<>();
        for (String a : args) {
            Path p = resolveUserPath(a);
            String name = p.getFileName().toString();
            if (name.endsWith(PointerFile.SUFFIX) && Files.isRegularFile(p)) {
                out.add(new Target(readTracked(p), null));
                continue;
            }
            Path sibling = pointerFor(p);
            if (Files.isRegularFile(sibling)) {
                out.add(new Target(readTracked(sibling), null));
                continue;
            }
            Optional<Path> owner = owningPointer(p);
            if (owner.isPresent()) {
                Path dirOfData = owner.get().resolveSibling(owner.get().getFileName().toString().replaceFirst("\\.mlv$", ""));
                out.add(new Target(readTracked(owner.get()), dirOfData.relativize(p).toString().replace('\\', '/')));
                continue;
            }
            if (Files.isDirectory(p)) {
                String prefix = relative(p) + "/";
                List<Target> inside = allTracked().stream().filter(t -> relative(t.pointer()).startsWith(prefix))
                        .map(t -> new Target(t, null)).toList();
                if (!inside.isEmpty()) {
                    out.addAll(inside);
                    continue;
                }
            }
            throw MlvException.invalid("'" + a + "' is not tracked: no " + name + PointerFile.SUFFIX + " (track it with 'mlv data add')");
        }
        return out;
    }

    /** The pointer of a tracked directory that contains {@code p}, if any. */
    Optional<Path> owningPointer(Path p) {
        for (Path d = p.getParent(); d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
            Path ptr = pointerFor(d);
            if (Files.isRegularFile(ptr)) return Optional.of(ptr);
        }
        return Optional.empty();
    }

    // ------------------------------------------------------------------ scanning the workspace

    /**
     * How long after a file's last change its stamp is trusted to identify its content. File systems keep times with
     * some granularity (a clock tick, up to 2 s on FAT): a change made within the same tick as the one before, just
     * after the stamp was read, would leave the stamp unchanged (git's "racily clean" files). A stamp read sooner than
     * this after the change is used by the command that read it but not remembered, so the file is hashed again next
     * time. Files mlv has just written itself (checkout) are remembered at once.
     */
    static final long SETTLE_NANOS = 2_000_000_000L;

    /**
     * A workspace file: its path relative to the tracked data path ("" for a tracked file), location and stamp, and
     * whether the stamp had settled when read ({@link #SETTLE_NANOS}). Its state-cache key, the path relative to the
     * repository, is {@code keyPrefix + relpath}, built only when looked up.
     */
    record Entry(String relpath, String keyPrefix, Path file, StateCache.Stamp stamp, boolean settled) {
        String key() {
            return keyPrefix + relpath;
        }
    }

    /** The entry of a single tracked file, its attributes read now. */
    private Entry entry(Path file) {
        long observed = epochNanos();
        return entry(file, attrs(file), observed);
    }

    private Entry entry(Path file, BasicFileAttributes a, long observed) {
        StateCache.Stamp s = stamp(a);
        return new Entry("", relative(file), file, s, settled(s, observed));
    }

    static boolean settled(StateCache.Stamp s, long observedEpochNanos) {
        return s.mtimeNanos() < observedEpochNanos - SETTLE_NANOS;
    }

    static long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    static StateCache.Stamp stamp(BasicFileAttributes a) {
        return new StateCache.Stamp(String.valueOf(a.fileKey()), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.size());
    }

    /** Lists folders for {@link #scan}: one thread per core (listing is CPU work in the kernel and the JVM). */
    private static final java.util.concurrent.ForkJoinPool WALKERS =
            new java.util.concurrent.ForkJoinPool(Runtime.getRuntime().availableProcessors());

    /**
     * The files under a tracked directory, listed by several threads (one task per folder); symlinks may point
     * anywhere inside the repository, but not out of it. The order is unspecified.
     */
    List<Entry> scan(Path dir) {
        java.util.concurrent.ConcurrentLinkedQueue<Entry> out = new java.util.concurrent.ConcurrentLinkedQueue<>();
        java.util.concurrent.atomic.AtomicReference<RuntimeException> failure = new java.util.concurrent.atomic.AtomicReference<>();
        IgnoreRules ignore = IgnoreRules.forFolder(root, dir.getParent());
        WALKERS.invoke(new ScanTask(dir, "", relative(dir) + "/", ignore, epochNanos(), out, failure));
        if (failure.get() != null) throw failure.get(); // the first error as thrown, not a copy made by the pool
        return new ArrayList<>(out);
    }

    /** Lists one folder: files become entries, subfolders become tasks of their own. */
    private final class ScanTask extends java.util.concurrent.RecursiveAction {
        private final Path folder;
        private final String rel;
        private final String keyPrefix;
        /** The {@code .mlvignore} rules of the folders above this one. */
        private final IgnoreRules ignore;
        private final long started;
        private final java.util.Collection<Entry> out;
        private final java.util.concurrent.atomic.AtomicReference<RuntimeException> failure;

        ScanTask(Path folder, String rel, String keyPrefix, IgnoreRules ignore, long started, java.util.Collection<Entry> out,
                 java.util.concurrent.atomic.AtomicReference<RuntimeException> failure) {
            this.folder = folder;
            this.rel = rel;
            this.keyPrefix = keyPrefix;
            this.ignore = ignore;
            this.started = started;
            this.out = out;
            this.failure = failure;
        }

        @Override
        protected void compute() {
            if (failure.get() != null) return;
            List<ScanTask> subfolders = new ArrayList<>();
            try {
                list(subfolders);
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
                return;
            }
            invokeAll(subfolders);
        }

        private void list(List<ScanTask> subfolders) {
            String folderRel = keyPrefix + rel;
            IgnoreRules rules = ignore.enter(folder, rel.isEmpty() ? folderRel.substring(0, folderRel.length() - 1) : folderRel);
            try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(folder)) {
                // where the platform offers it (Linux), stat each entry relative to the open folder (fstatat), which
                // costs the kernel one name lookup instead of a walk of the whole absolute path
                var secure = ds instanceof java.nio.file.SecureDirectoryStream<Path> sds ? sds : null;
                for (Path file : ds) visit(file, secure, rules, subfolders);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + folder + ": " + e.getMessage(), e);
            }
        }

        /**
         * One folder entry. A method of its own, called once per file, so that a fresh JVM (every command) compiles it
         * after a few hundred files; as the body of {@link #list}'s loop, which runs once per folder, it would stay
         * interpreted for most of a large walk.
         */
        private void visit(Path file, java.nio.file.SecureDirectoryStream<Path> secure, IgnoreRules rules,
                           List<ScanTask> subfolders) throws IOException {
            String name = file.getFileName().toString();
            String relpath = rel.isEmpty() ? name : rel + "/" + name;
            BasicFileAttributes a = secure != null
                    ? secure.getFileAttributeView(file.getFileName(), java.nio.file.attribute.BasicFileAttributeView.class,
                            LinkOption.NOFOLLOW_LINKS).readAttributes()
                    : Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!rules.isEmpty()) {
                // before the symlink checks: a link left out may point anywhere
                boolean isFolder = a.isDirectory() || (a.isSymbolicLink() && Files.isDirectory(file));
                if (rules.ignores(keyPrefix + relpath, isFolder)) return;
            }
            if (a.isDirectory()) {
                subfolders.add(new ScanTask(file, relpath, keyPrefix, rules, started, out, failure));
                return;
            }
            if (a.isSymbolicLink()) {
                Path real = file.toRealPath();
                if (!real.startsWith(root)) {
                    throw MlvException.invalid("Symlink " + relative(file) + " points outside the repository (" + real + ")");
                }
                a = Files.readAttributes(file, BasicFileAttributes.class);
                if (a.isDirectory()) {
                    throw MlvException.invalid("Symlink " + relative(file) + " points to a directory; only files can be tracked");
                }
            }
            if (a.isRegularFile() && !AtomicFiles.isTemp(name)) {
                StateCache.Stamp st = stamp(a);
                out.add(new Entry(relpath, keyPrefix, file, st, settled(st, started))); // read after the walk started
            }
        }
    }

    private String stateKey(Path file) {
        return relative(file);
    }

    /** The digest of a workspace file, from the state cache when its stamp is unchanged, else by hashing it. */
    private String digestOf(Entry e) {
        String key = e.key();
        Optional<String> known = state.lookup(key, e.stamp());
        if (known.isPresent()) return known.get();
        String d = Hashing.hash(e.file()).digest();
        if (e.settled()) state.record(key, e.stamp(), d);
        return d;
    }

    /** Digests of many entries, hashing in parallel what the state cache does not know. */
    private Map<String, String> digests(List<Entry> entries, String label) {
        return digests(entries, label, bytes -> { });
    }

    /** {@link #digests(List, String)}, telling {@code beforeHashing} how many bytes it is about to hash. */
    private Map<String, String> digests(List<Entry> entries, String label, java.util.function.LongConsumer beforeHashing) {
        Map<String, String> out = new java.util.concurrent.ConcurrentHashMap<>(entries.size() * 2);
        List<Entry> todo = new ArrayList<>();
        long bytes = 0;
        for (Entry e : entries) {
            Optional<String> known = state.lookup(e.key(), e.stamp());
            if (known.isPresent()) out.put(e.relpath(), known.get());
            else {
                todo.add(e);
                bytes += e.stamp().size();
            }
        }
        if (!todo.isEmpty()) {
            beforeHashing.accept(bytes);
            try (Progress.Task t = progress.start("hashing " + label, bytes, true)) {
                List<Parallel.Failure<Entry>> f = Parallel.forEach(todo, THREADS, e -> {
                    out.put(e.relpath(), digestOf(e));
                    t.advance(e.stamp().size());
                });
                if (!f.isEmpty()) throw f.get(0).error();
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ add

    /** Tracks files and directories: objects into the cache, a {@code PATH.mlv} beside each, the path in .gitignore. */
    public List<Tracked> add(List<String> paths) {
        state.prefetch();
        List<Path> targets = new ArrayList<>();
        for (String raw : paths) {
            Path p = resolveUserPath(raw);
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) throw MlvException.notFound("No such file or directory: " + raw);
            if (p.getFileName().toString().endsWith(PointerFile.SUFFIX)) {
                throw MlvException.invalid("'" + raw + "' is a pointer file; add the data it names instead");
            }
            Optional<Path> owner = owningPointer(p);
            if (owner.isPresent()) {
                throw MlvException.invalid("'" + raw + "' is inside a tracked directory (" + relative(owner.get()) + "); add that directory again instead");
            }
            if (Files.isSymbolicLink(p)) throw MlvException.invalid("'" + raw + "' is a symlink; add what it points to");
            Optional<IgnoreRules.Match> ignored = ignoreRule(p, Files.isDirectory(p)).filter(IgnoreRules.Match::ignored);
            if (ignored.isPresent()) {
                IgnoreRules.Match m = ignored.get();
                throw MlvException.invalid("'" + relative(p) + "' is ignored by " + m.source() + ":" + m.line() + " ('" + m.pattern()
                        + "'): remove or negate that rule to track it");
            }
            Path pointer = pointerFor(p);
            String origin = Files.isRegularFile(pointer) ? readTracked(pointer).file().origin() : null;
            if (origin != null) {
                throw MlvException.invalid("'" + raw + "' is imported from " + origin + ": update it with "
                        + "'mlv data update', or 'mlv data remove' it first to track it as your own");
            }
            targets.add(p);
        }
        List<Tracked> written = new ArrayList<>();
        List<PendingPointer> pending = new ArrayList<>();
        for (Path p : targets) pending.add(Files.isDirectory(p) ? addDirectory(p) : addFile(p));
        // the state (a file's digest) holds whether or not the objects are durable yet: it is saved while the
        // file system writes the objects out, instead of after
        var stateSaved = java.util.concurrent.CompletableFuture.runAsync(state::flush);
        cache.sync(); // every object durable before any pointer names it
        stateSaved.join();
        for (PendingPointer pp : pending) {
            writePointer(pp.pointer(), pp.pointerPath());
            ensureGitignored(pp.data());
            written.add(new Tracked(pp.pointerPath(), pp.pointer()));
        }
        for (PendingPointer pp : pending) link(pp);
        return written;
    }

    private record PendingPointer(Path data, Path pointerPath, PointerFile pointer, Map<Path, String> files) {
    }

    private PendingPointer addFile(Path file) {
        long observed = epochNanos();
        BasicFileAttributes a = attrs(file);
        if (!a.isRegularFile()) throw MlvException.invalid("'" + relative(file) + "' is not a regular file or directory");
        Entry e = entry(file, a, observed);
        String digest;
        try (Progress.Task t = progress.start("adding " + relative(file), a.size(), true)) {
            digest = store(e);
            t.advance(a.size());
        }
        PointerFile pf = PointerFile.of(new PointerFile.Out(file.getFileName().toString(), digest, a.size(), null));
        return new PendingPointer(file, pointerFor(file), pf, Map.of(file, digest));
    }

    private PendingPointer addDirectory(Path dir) {
        List<Entry> entries = scan(dir);
        long total = entries.stream().mapToLong(e -> e.stamp().size()).sum();
        Map<String, String> digests = new java.util.concurrent.ConcurrentHashMap<>();
        try (Progress.Task t = progress.start("adding " + relative(dir), total, true)) {
            List<Parallel.Failure<Entry>> f = Parallel.forEach(entries, THREADS, e -> {
                digests.put(e.relpath(), store(e));
                t.advance(e.stamp().size());
            });
            if (!f.isEmpty()) throw f.get(0).error();
        }
        Map<Path, String> files = new HashMap<>();
        for (Entry e : entries) files.put(e.file(), digests.get(e.relpath()));
        byte[] json = manifestOf(entries, digests).toBytes();
        String name = Manifest.nameOf(json);
        cache.put(name, json);
        recordDirectory(stateKey(dir), name, entries, TreeFingerprint.of(entries));
        forgetMissing(stateKey(dir), entries);
        PointerFile pf = PointerFile.of(new PointerFile.Out(dir.getFileName().toString(), name, total, entries.size()));
        return new PendingPointer(dir, pointerFor(dir), pf, files);
    }

    /** The manifest of a directory's {@code entries}, whose digests by relative path are {@code digests}. */
    private static Manifest manifestOf(List<Entry> entries, Map<String, String> digests) {
        List<Manifest.Entry> me = new ArrayList<>(entries.size());
        for (Entry e : entries) me.add(new Manifest.Entry(e.relpath(), digests.get(e.relpath()), e.stamp().size()));
        return new Manifest(me);
    }

    /** Puts one workspace file into the cache unless its unchanged stamp says the cache already has it. */
    private String store(Entry e) {
        String key = e.key();
        Optional<String> known = state.lookup(key, e.stamp());
        if (known.isPresent() && cache.has(known.get(), e.stamp().size())) return known.get();
        Hashing.Result r = null;
        if (e.stamp().size() >= Hashing.PIPELINE_THRESHOLD && config.linkType() == LinkType.REFLINK && !Boolean.FALSE.equals(clones)) {
            r = cache.addClone(e.file()); // large files: a clone in the cache, no copy (the first one tells whether clones work)
            if (clones == null) clones = r != null;
        }
        if (r == null) r = cache.add(e.file(), e.stamp().size());
        // the stamp was taken before reading: if the file changed meanwhile, its new stamp will not match
        if (e.settled()) state.record(key, e.stamp(), r.digest());
        return r.digest();
    }

    private static Path pointerFor(Path data) {
        return data.resolveSibling(data.getFileName() + PointerFile.SUFFIX);
    }

    private BasicFileAttributes attrs(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    /** With hardlink or symlink, replaces the workspace copies by links to the (read-only) cache objects. */
    private void link(PendingPointer pp) {
        LinkType lt = config.linkType();
        if (lt != LinkType.HARDLINK && lt != LinkType.SYMLINK) return;
        placeAll(new ArrayList<>(pp.files().entrySet()), (e, temps) -> placeLinked(e.getValue(), e.getKey(), lt, temps));
    }

    /**
     * Runs {@code place} on every item on {@link #THREADS} threads, each writing its temp files in a folder of its own
     * ({@link TempLanes}); throws the first failure once all are done.
     */
    private <T> void placeAll(List<T> items, java.util.function.BiConsumer<T, TempLanes> place) {
        try (TempLanes temps = new TempLanes(cache)) {
            List<Parallel.Failure<T>> f = Parallel.forEach(items, THREADS, item -> place.accept(item, temps));
            if (!f.isEmpty()) throw f.get(0).error();
        }
    }

    /** Writes a pointer file (atomically), remembered for {@link #stageForGit}. */
    void writePointer(PointerFile pointer, Path file) {
        pointer.write(file);
        changedForGit.add(file);
    }

    /**
     * As DVC's {@code core.autostage}: stages in git the pointer and .gitignore files this command wrote
     * ({@code git add}) or deleted ({@code git rm --cached}). Returns them relative to the top of the repository;
     * nothing outside a git work tree.
     */
    public List<String> stageForGit() {
        Git git = new Git(root);
        if (changedForGit.isEmpty() || git.repositoryRoot() == null) return List.of();
        List<String> present = new ArrayList<>(), deleted = new ArrayList<>();
        for (Path p : new java.util.TreeSet<>(changedForGit)) (Files.exists(p) ? present : deleted).add(relative(p));
        git.stage(present, deleted);
        List<String> all = new ArrayList<>(present);
        all.addAll(deleted);
        return all;
    }

    /** Adds {@code /name} to the .gitignore beside the data, atomically, if it is not there. */
    void ensureGitignored(Path data) {
        Path gi = data.resolveSibling(".gitignore");
        if (ensureListed(gi, "/" + data.getFileName())) changedForGit.add(gi);
    }

    /** Adds the line {@code entry} to the ignore file {@code gi}, atomically, unless it is there; true when added. */
    private static boolean ensureListed(Path gi, String entry) {
        try {
            String current = Files.exists(gi) ? Files.readString(gi, StandardCharsets.UTF_8) : "";
            for (String line : current.split("\\R")) if (line.strip().equals(entry)) return false;
            String next = current.isEmpty() || current.endsWith("\n") ? current + entry + "\n" : current + "\n" + entry + "\n";
            AtomicFiles.write(gi, next.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot update " + gi + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ remove / move

    /**
     * Stops tracking: deletes each {@code PATH.mlv} and the data's .gitignore entry. The data stays in the workspace,
     * and its objects in the cache, unless {@code deleteData}; then the data goes too, but only when every byte of it
     * is in the cache (no changes since it was added), so nothing is lost. Arguments are data paths or their pointers.
     */
    public List<Tracked> remove(List<String> args, boolean deleteData) {
        List<Tracked> tracked = args.stream().map(a -> trackedExactly(a, "remove")).toList();
        if (deleteData) {
            for (Tracked t : tracked) {
                List<Target> target = List.of(new Target(t, null));
                // files gone from the workspace lose nothing; changed or new ones would
                List<Change> changes = status(target).stream().filter(c -> !c.kind().equals("deleted") && !c.kind().equals(Change.NOT_IN_CACHE)).toList();
                if (!changes.isEmpty()) {
                    throw MlvException.invalid("Refusing to delete " + relative(t.pointer().resolveSibling(t.file().outs().get(0).path()))
                            + ": " + changes.get(0).path() + " is " + changes.get(0).kind() + " since it was added (" + changes.size()
                            + " change(s)); run 'mlv data add' first, or remove without --outs to keep the data");
                }
                Needed needed = needed(target);
                List<String> absent = needed.files().stream().filter(d -> !cache.contains(d)).toList();
                if (!needed.missingManifests().isEmpty() || !absent.isEmpty()) {
                    throw MlvException.invalid("Refusing to delete the data of " + relative(t.pointer()) + ": the cache lacks "
                            + (absent.size() + needed.missingManifests().size()) + " of its objects; run 'mlv data add' or 'mlv data fetch' first");
                }
            }
        }
        for (Tracked t : tracked) {
            for (PointerFile.Out o : t.file().outs()) {
                Path data = t.dataPath(o);
                if (deleteData) deleteTree(data);
                removeGitignoreEntry(data);
            }
            try {
                Files.delete(t.pointer());
                changedForGit.add(t.pointer());
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot delete " + relative(t.pointer()) + ": " + e.getMessage(), e);
            }
        }
        return tracked;
    }

    /**
     * Moves tracked data and its pointer: {@code src} (the data or its pointer) to {@code dst} (a new path, or an
     * existing directory to move it into). The new pointer is written first, so a crash at any moment leaves the data
     * tracked under one name or both, never under none.
     */
    /** What {@link #move} did: the pointer before (now gone) and the one after. */
    public record Moved(Tracked from, Tracked to) {
    }

    public Moved move(String src, String dst) {
        Tracked from = trackedExactly(src, "move");
        if (from.file().outs().size() != 1) {
            throw MlvException.invalid("'" + src + "' tracks " + from.file().outs().size() + " paths; move them one by one");
        }
        PointerFile.Out out = from.file().outs().get(0);
        Path data = from.dataPath(out);
        Path target = resolveUserPath(dst);
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) target = checkInside(ArtifactPath.parseLiteral(relative(target.resolve(data.getFileName()))), dst);
        Path pointer = pointerFor(target);
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) || Files.exists(pointer, LinkOption.NOFOLLOW_LINKS)) {
            throw MlvException.alreadyExists("Cannot move '" + src + "' to '" + relative(target) + "': it exists");
        }
        if (target.startsWith(data)) throw MlvException.invalid("Cannot move '" + src + "' into itself");
        Optional<Path> owner = owningPointer(target);
        if (owner.isPresent()) {
            throw MlvException.invalid("Cannot move '" + src + "' into the tracked directory " + relative(owner.get()).replaceFirst("\\.mlv$", ""));
        }
        try {
            Files.createDirectories(target.getParent());
            PointerFile.Import source = from.file().source();
            PointerFile.External external = from.file().external();
            PointerFile moved = new PointerFile(List.of(new PointerFile.Out(target.getFileName().toString(), out.digest(), out.size(),
                    out.nfiles())), source == null ? null : source.relocated(from.pointer().getParent(), pointer.getParent()),
                    external == null ? null : external.relocated(from.pointer().getParent(), pointer.getParent()), from.file().frozen());
            writePointer(moved, pointer);
            if (Files.exists(data, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    Files.move(data, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException e) { // e.g. another file system: a rename only, never a copy, so undo the pointer
                    AtomicFiles.deleteQuietly(pointer);
                    throw e;
                }
                state.move(stateKey(data), stateKey(target)); // same inodes and times: nothing to re-hash
            }
            ensureGitignored(target);
            Files.delete(from.pointer());
            changedForGit.add(from.pointer());
            removeGitignoreEntry(data);
            return new Moved(from, new Tracked(pointer, moved));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot move '" + src + "' to '" + relative(target) + "': " + e.getMessage(), e);
        }
    }

    /**
     * Freezes imported data (as DVC's {@code freeze}): 'update' and 'status' leave its source alone until it is
     * unfrozen; with {@code frozen} false, unfreezes it. Arguments are data paths or their pointers; data that is not
     * imported is refused before anything changes. Returns the pointers whose state changed.
     */
    public List<Path> freeze(List<String> args, boolean frozen) {
        String command = frozen ? "freeze" : "unfreeze";
        List<Tracked> tracked = args.stream().map(a -> trackedExactly(a, command)).toList();
        for (Tracked t : tracked) {
            if (!t.file().isImported()) {
                throw MlvException.invalid("Cannot " + command + " " + relative(t.pointer()) + ": it was added here, not imported "
                        + "('mlv data import' or 'import-url'), so it has no source to follow");
            }
        }
        List<Path> changed = new ArrayList<>();
        for (Tracked t : tracked) {
            if (t.file().frozen() == frozen) continue;
            writePointer(t.file().withFrozen(frozen), t.pointer());
            changed.add(t.pointer());
        }
        return changed;
    }

    /** The pointer that {@code arg} names exactly: the pointer itself or its data, not a path inside tracked data. */
    private Tracked trackedExactly(String arg, String command) {
        Path p = resolveUserPath(arg);
        Path pointer = p.getFileName().toString().endsWith(PointerFile.SUFFIX) ? p : pointerFor(p);
        if (Files.isRegularFile(pointer)) return readTracked(pointer);
        Optional<Path> owner = owningPointer(p);
        if (owner.isPresent()) {
            throw MlvException.invalid("'" + arg + "' is inside the tracked directory " + relative(owner.get()).replaceFirst("\\.mlv$", "")
                    + "; " + command + " that directory, or 'mlv data add' it again after changing it");
        }
        throw MlvException.invalid("'" + arg + "' is not tracked: no " + relative(pointer));
    }

    /**
     * Replaces the workspace files of {@code targets} that are links into the cache (link_type hardlink or symlink)
     * with writable copies, so they can be edited without touching the cache, as DVC's {@code unprotect} does; the
     * next {@code add} links them again. Copies are left alone. Returns the number of files replaced.
     */
    public int unprotect(List<Target> targets) {
        Map<Path, String> linked = new LinkedHashMap<>();
        for (Target t : targets) {
            for (PointerFile.Out o : t.tracked().file().outs()) {
                Path data = t.tracked().dataPath(o);
                if (!o.isDirectory()) {
                    if (isCacheLink(data, o.digest())) linked.put(data, o.digest());
                    continue;
                }
                if (!cache.contains(o.digest())) continue; // nothing of it can be a link into the cache
                for (Manifest.Entry e : cache.readManifest(o.digest()).entries()) {
                    Path file = data.resolve(e.relpath());
                    if (t.includes(e.relpath()) && isCacheLink(file, e.digest())) linked.put(file, e.digest());
                }
            }
        }
        placeAll(new ArrayList<>(linked.entrySet()), (e, temps) -> place(e.getValue(), e.getKey(), LinkType.COPY, temps));
        return linked.size();
    }

    /** Whether {@code file} is a symlink to, or a hard link of, the cache object {@code digest}. */
    private boolean isCacheLink(Path file, String digest) {
        try {
            Path object = cache.objectPath(digest);
            if (Files.isSymbolicLink(file)) return Files.readSymbolicLink(file).equals(object);
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return a.isRegularFile() && a.fileKey() != null && Files.exists(object)
                    && a.fileKey().equals(Files.readAttributes(object, BasicFileAttributes.class).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + relative(file) + ": " + e.getMessage(), e);
        }
    }

    /** Deletes the {@code /name} line of the .gitignore beside the data; a .gitignore left empty is deleted. */
    void removeGitignoreEntry(Path data) {
        Path gi = data.resolveSibling(".gitignore");
        String entry = "/" + data.getFileName();
        try {
            if (!Files.exists(gi)) return;
            List<String> lines = new ArrayList<>(List.of(Files.readString(gi, StandardCharsets.UTF_8).split("\\R")));
            if (!lines.removeIf(line -> line.strip().equals(entry))) return;
            if (lines.stream().allMatch(String::isBlank)) Files.delete(gi);
            else AtomicFiles.write(gi, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
            changedForGit.add(gi);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot update " + gi + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (var all = Files.walk(p)) {
            for (Path q : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) Files.delete(q);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + p + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ status

    /**
     * One difference between the workspace and a pointer: {@code added}, {@code modified}, {@code deleted} (missing
     * here, in the cache: {@code checkout} restores it) or {@code not in cache} (missing here and in the cache:
     * {@code pull} brings it), as DVC says.
     */
    public record Change(String path, String kind, boolean pointerVersionInCache) {
        public static final String NOT_IN_CACHE = "not in cache";

        public Change(String path, String kind) {
            this(path, kind, true);
        }

        /** Data here differs from its pointer, whose version the cache holds or not (as after a {@code git pull}). */
        static Change modified(String path, boolean pointerVersionInCache) {
            return new Change(path, "modified", pointerVersionInCache);
        }
    }

    /** Whether the cache holds every object {@code t} needs. */
    boolean inCache(Target t) {
        Needed n = needed(List.of(t));
        return n.missingManifests().isEmpty() && n.files().stream().allMatch(cache::contains);
    }

    /** The workspace against the pointers: per file inside directories. */
    public List<Change> status(List<Target> targets) {
        List<Change> out = new ArrayList<>();
        for (Target t : targets) {
            for (PointerFile.Out o : t.tracked().file().outs()) {
                Path data = t.tracked().dataPath(o);
                String shown = relative(data);
                if (!Files.exists(data)) {
                    out.add(new Change(shown, inCache(t) ? "deleted" : Change.NOT_IN_CACHE));
                    continue;
                }
                if (!o.isDirectory()) {
                    if (Files.isDirectory(data)) {
                        out.add(Change.modified(shown, cache.contains(o.digest())));
                        continue;
                    }
                    Entry e = entry(data);
                    if (state.lookup(e.key(), e.stamp()).isEmpty()) chargeStatusHashing(e.stamp().size());
                    if (!digestOf(e).equals(o.digest())) out.add(Change.modified(shown, cache.contains(o.digest())));
                    continue;
                }
                if (!Files.isDirectory(data)) {
                    out.add(Change.modified(shown, inCache(t)));
                    continue;
                }
                // a whole directory seen unchanged since it last matched this digest needs no per-file comparison
                String key = stateKey(data);
                boolean whole = t.subpath() == null;
                var seenAsync = whole
                        ? java.util.concurrent.CompletableFuture.supplyAsync(() -> state.directory(key).filter(k -> k.digest().equals(o.digest())))
                        : java.util.concurrent.CompletableFuture.completedFuture(Optional.<StateCache.DirectoryStamp>empty());
                // without a usable stamp, read what the file-by-file comparison needs while the walk runs
                var early = seenAsync.thenApply(seen -> {
                    if (seen.isPresent()) return null;
                    state.prefetch();
                    return readManifestAsync(o.digest());
                });
                List<Entry> entries = scan(data);
                String fingerprint = whole ? TreeFingerprint.of(entries) : null;
                Optional<StateCache.DirectoryStamp> seen = join(seenAsync);
                if (seen.isPresent() && seen.get().fingerprint().equals(fingerprint)) continue;
                var manifest = seen.isPresent() ? readManifestAsync(o.digest()) : join(early);
                if (!whole) entries = entries.stream().filter(e -> t.includes(e.relpath())).toList();
                Map<String, String> now = digests(entries, shown, this::chargeStatusHashing);
                if (whole) forgetMissing(key, entries);
                if (manifest == null) {
                    if (!whole || !manifestOf(entries, now).name().equals(o.digest())) out.add(Change.modified(shown, false));
                    else recordDirectory(key, o.digest(), entries, fingerprint);
                    continue;
                }
                Manifest m = join(manifest);
                Map<String, String> then = new HashMap<>(2 * m.entries().size());
                for (Manifest.Entry e : m.entries()) if (t.includes(e.relpath())) then.put(e.relpath(), e.digest());
                TreeMap<String, Change> changes = new TreeMap<>();
                for (var e : now.entrySet()) {
                    String old = then.get(e.getKey());
                    String path = shown + "/" + e.getKey();
                    if (old == null) changes.put(e.getKey(), new Change(path, "added"));
                    else if (!old.equals(e.getValue())) changes.put(e.getKey(), Change.modified(path, cache.contains(old)));
                }
                for (var p : then.entrySet()) {
                    if (!now.containsKey(p.getKey())) {
                        changes.put(p.getKey(), new Change(shown + "/" + p.getKey(), cache.contains(p.getValue()) ? "deleted" : Change.NOT_IN_CACHE));
                    }
                }
                out.addAll(changes.values());
                if (whole && changes.isEmpty()) recordDirectory(key, o.digest(), entries, fingerprint);
            }
        }
        return out;
    }

    /** Remembers that the directory matched {@code digest}, unless a stamp in it had not settled. */
    private void recordDirectory(String dirKey, String digest, List<Entry> entries, String fingerprint) {
        for (Entry e : entries) if (!e.settled()) return;
        state.recordDirectory(dirKey, new StateCache.DirectoryStamp(digest, fingerprint));
    }

    /** Forgets the state of files under the tracked directory {@code dirKey} that its walk did not find any more. */
    private void forgetMissing(String dirKey, List<Entry> entries) {
        Set<String> present = new HashSet<>(2 * entries.size());
        for (Entry e : entries) present.add(e.key());
        String prefix = dirKey + "/";
        state.retain(p -> !p.startsWith(prefix) || present.contains(p));
    }

    /** Starts reading (and verifying) a directory's manifest on the walkers; null when the cache does not have it. */
    private java.util.concurrent.CompletableFuture<Manifest> readManifestAsync(String digest) {
        return cache.contains(digest) ? java.util.concurrent.CompletableFuture.supplyAsync(() -> cache.readManifest(digest), WALKERS) : null;
    }

    /** The value of a background task, with its own exception rethrown as is. */
    private static <T> T join(java.util.concurrent.CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw e;
        }
    }

    /** Object names the targets need, split into files and manifests; directories need their manifest in the cache. */
    public record Needed(List<String> files, Map<String, List<String>> manifests, List<String> missingManifests,
                         Map<String, Long> sizes) {
        /** The size of file object {@code name} as the pointers or manifests record it; -1 when they do not. */
        long size(String name) {
            return sizes.getOrDefault(name, -1L);
        }
    }

    /**
     * The versions of your own data that the pointers of any commit reachable from a ref name (as {@code gc
     * --all-commits} reads them), for {@code push} and {@code fetch --all-commits}: one target per distinct pointer,
     * whose pointer path is a stand-in ({@code .mlv/history/<blob>.mlv}). Data imported from another repository is left
     * out: it comes from its source ({@code import-url} data is pushed and fetched like your own). A pointer that does not parse is skipped with a warning.
     */
    public List<Target> historyTargets() {
        List<Target> targets = new ArrayList<>();
        historyPointers().forEach((blob, pf) -> {
            if (pf.source() == null) {
                targets.add(new Target(new Tracked(root.resolve(DIR).resolve("history").resolve(blob + PointerFile.SUFFIX), pf), null));
            }
        });
        return targets;
    }

    /** Every distinct pointer file of every commit reachable from a ref, by blob id; one that does not parse is skipped with a warning. */
    private Map<String, PointerFile> historyPointers() {
        Git git = new Git(root);
        Map<String, PointerFile> pointers = new LinkedHashMap<>();
        for (var e : git.blobs(git.pointerBlobsInHistory()).entrySet()) {
            try {
                pointers.put(e.getKey(), PointerFile.parse(e.getValue(), "blob " + e.getKey()));
            } catch (MlvException bad) {
                progress.message("warning: skipping " + bad.getMessage());
            }
        }
        return pointers;
    }

    /** Of {@code targets}, those whose directories' manifests are all in the cache (what a push can know the files of). */
    public List<Target> withManifestsCached(List<Target> targets) {
        return targets.stream().filter(t -> t.tracked().file().outs().stream()
                .allMatch(o -> !o.isDirectory() || cache.contains(o.digest()))).toList();
    }

    public Needed needed(List<Target> targets) {
        Set<String> files = new LinkedHashSet<>();
        Map<String, List<String>> manifests = new LinkedHashMap<>();
        List<String> missing = new ArrayList<>();
        Map<String, Long> sizes = new HashMap<>();
        for (Target t : targets) {
            for (PointerFile.Out o : t.tracked().file().outs()) {
                if (!o.isDirectory()) {
                    files.add(o.digest());
                    sizes.put(o.digest(), o.size());
                    continue;
                }
                if (!cache.contains(o.digest())) {
                    missing.add(o.digest());
                    continue;
                }
                Manifest m = cache.readManifest(o.digest());
                List<String> all = new ArrayList<>();
                for (Manifest.Entry e : m.entries()) {
                    all.add(e.digest());
                    if (t.includes(e.relpath()) && files.add(e.digest())) sizes.put(e.digest(), e.size());
                }
                manifests.merge(o.digest(), all, (a, b) -> a);
            }
        }
        return new Needed(new ArrayList<>(files), manifests, missing, sizes);
    }

    // ------------------------------------------------------------------ push / fetch

    /** What a transfer did. */
    public record TransferResult(int transferred, long bytes, int skipped, List<String> failures) {
        public boolean ok() {
            return failures.isEmpty();
        }

        /** Both transfers together. */
        public TransferResult plus(TransferResult other) {
            List<String> all = new ArrayList<>(failures);
            all.addAll(other.failures());
            return new TransferResult(transferred + other.transferred(), bytes + other.bytes(), skipped + other.skipped(), all);
        }
    }

    /**
     * Uploads what the remote lacks: files in parallel, each manifest only once all of its files are there. A directory
     * whose manifest is not in the cache (as after {@code import-url --to-remote}) is fine when the remote holds it.
     */
    public TransferResult push(Remote remote, List<Target> targets) {
        Needed n = needed(targets);
        Set<String> query = new LinkedHashSet<>(n.files());
        n.manifests().values().forEach(query::addAll);
        query.addAll(n.manifests().keySet());
        query.addAll(n.missingManifests());
        Set<String> remoteMissing = remote.missing(new ArrayList<>(query));
        for (String m : n.missingManifests()) {
            if (remoteMissing.contains(m)) {
                throw MlvException.notFound("Manifest " + m + " is not in the cache; nothing to push for it"
                        + " (run 'mlv data fetch' or 'mlv data add' first)");
            }
        }
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Remote.Upload> uploads = new ArrayList<>();
        long bytes = 0;
        for (String f : n.files()) {
            if (!remoteMissing.contains(f)) continue;
            // the size the pointers record saves a stat per object; an object the cache lacks fails its upload
            long s = n.size(f) >= 0 ? n.size(f) : cache.size(f);
            if (s < 0) failures.add(f + ": not in the local cache");
            else {
                uploads.add(new Remote.Upload(f, cache.objectPath(f), s));
                bytes += s;
            }
        }
        Set<String> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();
        AtomicLong done = new AtomicLong();
        try (Progress.Task t = progress.start("pushing to " + remote.url(), bytes, true)) {
            for (var f : Parallel.forEach(units(remote, uploads, Remote.Upload::size), parallelism(remote), unit -> {
                List<Remote.Upload> sent = uploadUnit(remote, unit, failed, failures);
                long s = sent.stream().mapToLong(Remote.Upload::size).sum();
                done.addAndGet(s);
                t.advance(s);
            })) {
                for (Remote.Upload u : f.item()) {
                    if (failed.add(u.name())) failures.add(u.name() + ": " + f.error().getMessage());
                }
            }
        }
        int manifestsPushed = 0;
        Set<String> uploaded = new HashSet<>();
        for (Remote.Upload u : uploads) if (!failed.contains(u.name())) uploaded.add(u.name());
        for (var m : n.manifests().entrySet()) {
            if (!remoteMissing.contains(m.getKey())) continue;
            boolean complete = m.getValue().stream().allMatch(d -> !remoteMissing.contains(d) || uploaded.contains(d));
            if (!complete) {
                failures.add(m.getKey() + ": not pushed because some of its files are not on the remote");
                continue;
            }
            try {
                remote.upload(m.getKey(), cache.objectPath(m.getKey()), cache.size(m.getKey()));
                manifestsPushed++;
            } catch (RuntimeException e) {
                failures.add(m.getKey() + ": " + e.getMessage());
            }
        }
        remote.flush();
        int transferred = uploaded.size() + manifestsPushed;
        return new TransferResult(transferred, done.get(), query.size() - remoteMissing.size(), failures);
    }

    /**
     * Uploads one unit of a push (one object, or a batch the remote takes at once) and returns what was sent. When the
     * unit fails because some of its objects are not in the cache with the size the pointers record, those are added
     * to {@code failed} and {@code failures} and the rest is sent again; any other failure is thrown.
     */
    private List<Remote.Upload> uploadUnit(Remote remote, List<Remote.Upload> unit, Set<String> failed, List<String> failures) {
        try {
            Remote.Upload first = unit.get(0);
            if (unit.size() == 1) remote.upload(first.name(), first.file(), first.size());
            else remote.uploadAll(unit);
            return unit;
        } catch (RuntimeException e) {
            List<Remote.Upload> present = new ArrayList<>();
            for (Remote.Upload u : unit) {
                long s = cache.size(u.name());
                if (s == u.size()) present.add(u);
                else if (failed.add(u.name())) {
                    failures.add(u.name() + (s < 0 ? ": not in the local cache"
                            : ": the cache holds " + s + " bytes, the pointers say " + u.size() + " (run 'mlv data fsck')"));
                }
            }
            if (present.size() == unit.size()) throw e;
            return present.isEmpty() ? present : uploadUnit(remote, present, failed, failures);
        }
    }

    /**
     * The objects of a transfer in the units it hands to the remote: each large object (or one of unknown size) alone,
     * the small ones in batches of up to {@link Remote#batchSize}, small enough that every transfer thread gets several.
     */
    private <T> List<List<T>> units(Remote remote, List<T> objects, java.util.function.ToLongFunction<T> size) {
        int batch = remote.batchSize();
        List<List<T>> units = new ArrayList<>();
        List<T> small = new ArrayList<>();
        for (T o : objects) {
            long s = size.applyAsLong(o);
            if (batch > 1 && s >= 0 && s <= ObjectBatch.MAX_OBJECT_BYTES) small.add(o);
            else units.add(List.of(o));
        }
        int per = Math.max(1, Math.min(batch, -Math.floorDiv(-small.size(), 4 * parallelism(remote))));
        for (int i = 0; i < small.size(); i += per) units.add(small.subList(i, Math.min(small.size(), i + per)));
        return units;
    }

    /** Downloads what the cache lacks, verifying every digest before an object becomes visible. */
    public TransferResult fetch(Remote remote, List<Target> targets) {
        Set<String> manifests = new LinkedHashSet<>();
        for (Target t : targets) {
            for (PointerFile.Out o : t.tracked().file().outs()) if (o.isDirectory() && !cache.contains(o.digest())) manifests.add(o.digest());
        }
        List<String> failures = new ArrayList<>();
        AtomicLong bytes = new AtomicLong();
        int count = 0;
        for (var f : Parallel.forEach(new ArrayList<>(manifests), parallelism(remote), name -> download(remote, name, bytes, null))) {
            failures.add(f.item() + ": " + f.error().getMessage());
        }
        count += manifests.size();
        Needed n = needed(targets);
        List<String> todo = new ArrayList<>(cache.absent(n.files()));
        List<String> failed = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Progress.Task t = progress.start("fetching from " + remote.url(), todo.size(), false)) {
            // a folder remote's objects are copied as files, one by one; others may come in batches
            boolean files = !todo.isEmpty() && remote.localFile(todo.get(0)) != null;
            java.util.function.ToLongFunction<String> size = files ? d -> -1 : n::size;
            for (var f : Parallel.forEach(units(remote, todo, size), parallelism(remote), unit -> download(remote, unit, bytes, t, failed))) {
                f.item().forEach(name -> failed.add(name + ": " + f.error().getMessage()));
            }
        }
        failures.addAll(failed);
        count += todo.size();
        cache.sync();
        return new TransferResult(count - failures.size(), bytes.get(), n.files().size() - todo.size(), failures);
    }

    /**
     * Downloads the objects of {@code unit} (one, or a batch the remote sends at once), each verified; what the batch
     * did not bring is downloaded one by one. Every object that fails is added to {@code failures} with the reason.
     */
    private void download(Remote remote, List<String> unit, AtomicLong bytes, Progress.Task t, List<String> failures) {
        Set<String> left = new LinkedHashSet<>(unit);
        if (unit.size() > 1) {
            try {
                remote.openAll(unit, (name, in) -> {
                    left.remove(name);
                    try {
                        bytes.addAndGet(cache.importVerified(name, in, remote.url()));
                        t.advance(1);
                    } catch (RuntimeException e) {
                        failures.add(name + ": " + e.getMessage());
                    }
                });
            } catch (RuntimeException e) {
                left.forEach(name -> failures.add(name + ": " + e.getMessage()));
                return;
            }
        }
        for (String name : left) {
            try {
                download(remote, name, bytes, t);
            } catch (RuntimeException e) {
                failures.add(name + ": " + e.getMessage());
            }
        }
    }

    private void download(Remote remote, String name, AtomicLong bytes, Progress.Task t) {
        Path file = remote.localFile(name);
        if (file != null) {
            bytes.addAndGet(cache.importVerified(name, file, remote.url()));
        } else {
            try (InputStream in = remote.open(name)) {
                bytes.addAndGet(cache.importVerified(name, in, remote.url()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (t != null) t.advance(1);
    }

    /** Names the targets need that the remote lacks (and those not even in the cache). */
    public record RemoteStatus(List<String> notOnRemote, List<String> notInCache) {
    }

    public RemoteStatus remoteStatus(Remote remote, List<Target> targets) {
        Needed n = needed(targets);
        List<String> all = new ArrayList<>(n.files());
        all.addAll(n.manifests().keySet());
        all.addAll(n.missingManifests());
        Set<String> missing = remote.missing(all);
        List<String> notInCache = all.stream().filter(d -> !cache.contains(d)).toList();
        return new RemoteStatus(new ArrayList<>(missing), notInCache);
    }

    // ------------------------------------------------------------------ checkout

    /** What checkout did. */
    public record CheckoutResult(int restored, int removed, int unchanged, List<String> missingFromCache) {
    }

    private record Action(Path target, String digest, boolean remove) {
    }

    /**
     * Makes the workspace match the pointers. Workspace content that is not in the cache (uncommitted changes) is
     * never overwritten or removed unless {@code force}; the refusal names the files and changes nothing.
     */
    public CheckoutResult checkout(List<Target> targets, boolean force) {
        state.prefetch();
        List<Action> actions = new ArrayList<>();
        List<String> conflicts = new ArrayList<>();
        List<String> missing = new ArrayList<>();
        int unchanged = 0;
        for (Target t : targets) {
            for (PointerFile.Out o : t.tracked().file().outs()) {
                Path data = t.tracked().dataPath(o);
                if (!o.isDirectory()) {
                    if (Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                        conflicts.add(relative(data) + " (a directory is in the way)");
                        continue;
                    }
                    if (Files.exists(data)) {
                        String d = digestOf(entry(data));
                        if (d.equals(o.digest())) {
                            unchanged++;
                            continue;
                        }
                        if (!force && !cache.contains(d)) conflicts.add(relative(data));
                    }
                    actions.add(new Action(data, o.digest(), false));
                    continue;
                }
                if (!cache.contains(o.digest())) {
                    missing.add(o.digest());
                    continue;
                }
                if (Files.exists(data, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(data, LinkOption.NOFOLLOW_LINKS)) {
                    conflicts.add(relative(data) + " (a file is in the way)");
                    continue;
                }
                Manifest m = cache.readManifest(o.digest());
                List<Entry> entries = Files.isDirectory(data) ? scan(data) : List.of();
                Map<String, Entry> now = new HashMap<>();
                for (Entry e : entries) if (t.includes(e.relpath())) now.put(e.relpath(), e);
                Map<String, String> nowDigests = digests(new ArrayList<>(now.values()), relative(data));
                Map<Path, Boolean> folders = new HashMap<>(); // a folder that does not exist holds no file to check
                for (Manifest.Entry me : m.entries()) {
                    if (!t.includes(me.relpath())) continue;
                    Path target = data.resolve(ArtifactPath.parseLiteral(me.relpath()).toString());
                    String cur = nowDigests.get(me.relpath());
                    if (cur == null && folders.computeIfAbsent(target.getParent(), Files::isDirectory)
                            && Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS)) {
                        cur = digestOf(entry(target)); // a file the walk left out (.mlvignore) is still not overwritten blindly
                    }
                    if (me.digest().equals(cur)) {
                        unchanged++;
                        continue;
                    }
                    if (cur != null && !force && !cache.contains(cur)) conflicts.add(relative(target));
                    actions.add(new Action(target, me.digest(), false));
                }
                Set<String> wanted = new HashSet<>();
                for (Manifest.Entry me : m.entries()) wanted.add(me.relpath());
                for (Entry e : now.values()) {
                    if (wanted.contains(e.relpath())) continue;
                    String cur = nowDigests.get(e.relpath());
                    if (!force && !cache.contains(cur)) conflicts.add(relative(e.file()));
                    actions.add(new Action(e.file(), null, true));
                }
            }
        }
        if (!conflicts.isEmpty()) {
            String list = String.join(", ", conflicts.subList(0, Math.min(5, conflicts.size())))
                    + (conflicts.size() > 5 ? " and " + (conflicts.size() - 5) + " more" : "");
            throw new MlvException(ErrorCode.INVALID_STATE, "Checkout would overwrite or delete uncommitted changes to "
                    + list + ": add them with 'mlv data add', or use --force to discard them");
        }
        Map<String, Long> sizes = new HashMap<>();
        long bytes = 0;
        for (Action a : actions) {
            if (a.remove()) continue;
            Long known = sizes.get(a.digest());
            long size = known != null ? known : cache.size(a.digest()); // one stat per object, however many files share it
            if (known == null) {
                sizes.put(a.digest(), size);
                if (size < 0) missing.add(a.digest());
            }
            bytes += Math.max(0, size);
        }
        if (!missing.isEmpty()) {
            throw MlvException.notFound(missing.size() + " object(s) needed by checkout are not in the cache (e.g. "
                    + missing.get(0) + "): run 'mlv data fetch' or 'mlv data pull'");
        }
        int restored = 0, removed = 0;
        try (Progress.Task t = progress.start("checking out", bytes, true)) {
            LinkType lt = config.linkType();
            List<Action> todo = lt == LinkType.REFLINK ? cloneAll(actions, sizes, t) : actions;
            placeAll(todo, (a, temps) -> {
                if (a.remove()) {
                    AtomicFiles.deleteQuietly(a.target());
                } else {
                    place(a.digest(), a.target(), lt, temps); // what cloneAll left, place copies
                    t.advance(sizes.get(a.digest()));
                }
            });
        }
        for (Action a : actions) {
            if (a.remove()) removed++;
            else restored++;
        }
        return new CheckoutResult(restored, removed, unchanged, List.of());
    }

    /**
     * Writes a cache object to a workspace path, as a link ({@link LinkType#HARDLINK}, {@link LinkType#SYMLINK}) or
     * else as a verified copy: a {@link #workspaceTemp temp file}, then an atomic rename over the old file.
     */
    private void place(String digest, Path target, LinkType lt, TempLanes temps) {
        if (lt == LinkType.HARDLINK || lt == LinkType.SYMLINK) {
            placeLinked(digest, target, lt, temps);
            return;
        }
        Path tmp = null;
        try {
            tmp = workspaceTemp(target, temps);
            cache.copyVerified(digest, tmp);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null; // renamed: nothing left to delete
            state.record(stateKey(target), stamp(attrs(target)), digest);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) AtomicFiles.deleteQuietly(tmp);
        }
    }

    /**
     * A temp name from which {@code target} can be replaced by an atomic rename: in this thread's folder of the cache's
     * temp folder when it is on the same file store (so a killed command leaves nothing in the workspace), else beside
     * the target.
     */
    private Path workspaceTemp(Path target, TempLanes temps) throws IOException {
        if (!sameStoreAsCache(target)) return AtomicFiles.tempBeside(target);
        return temps.newTemp();
    }

    /**
     * Whether {@code target} is on the cache's file store. Makes the target's folder, which must not lead out of the
     * repository through a symlink.
     */
    private boolean sameStoreAsCache(Path target) throws IOException {
        Path parent = target.getParent();
        Boolean sameStore = checkedFolders.get(parent);
        if (sameStore == null) {
            Files.createDirectories(parent);
            if (!parent.toRealPath().startsWith(root)) {
                throw MlvException.invalid("Cannot write " + relative(target) + ": its folder leaves the repository through a symlink");
            }
            sameStore = Files.getFileStore(parent).equals(Files.getFileStore(cache.root()));
            checkedFolders.put(parent, sameStore);
        }
        return sameStore;
    }

    /** Objects cloned by one {@code cp} process. */
    private static final int CLONE_BATCH = 1000;
    /** Whether the cache's file system clones ({@link Reflinks} worked); null until the first attempt. */
    private volatile Boolean clones;

    /**
     * With link type {@code reflink}: clones the objects of {@code actions} to their workspace paths, sharing their
     * blocks copy-on-write (Btrfs, XFS, APFS with GNU cp…): {@code cp --reflink=always -t DIR} clones up to
     * {@value #CLONE_BATCH} objects at a time into a temp folder of the cache, and each clone is then renamed over its
     * target. The first object goes alone, as a probe: where the file system cannot clone, that is one failed
     * {@code cp} and everything is copied instead. Returns the actions left to do (removals, a digest a second time,
     * whatever was not cloned), which the caller copies.
     */
    private List<Action> cloneAll(List<Action> actions, Map<String, Long> sizes, Progress.Task progress) {
        List<Action> left = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Action> distinct = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Action a : actions) {
            if (a.remove() || !seen.add(a.digest())) left.add(a); // cp takes an object named twice once: copy the second
            else distinct.add(a);
        }
        if (distinct.isEmpty()) return left;
        if (Boolean.FALSE.equals(clones)) left.add(distinct.get(0));
        else cloneBatch(distinct.subList(0, 1), sizes, progress, left);
        List<List<Action>> rest = new ArrayList<>();
        for (int i = 1; i < distinct.size(); i += CLONE_BATCH) rest.add(distinct.subList(i, Math.min(distinct.size(), i + CLONE_BATCH)));
        if (Boolean.TRUE.equals(clones)) {
            List<Parallel.Failure<List<Action>>> f = Parallel.forEach(rest, THREADS, b -> cloneBatch(b, sizes, progress, left));
            if (!f.isEmpty()) throw f.get(0).error();
        } else {
            rest.forEach(left::addAll);
        }
        return left;
    }

    /** Clones one batch of distinct objects (see {@link #cloneAll}); adds what was not cloned to {@code left}. */
    private void cloneBatch(List<Action> batch, Map<String, Long> sizes, Progress.Task progress, List<Action> left) {
        Path dir = cache.newTemp();
        try {
            List<Action> cloning = new ArrayList<>();
            for (Action a : batch) {
                if (sameStoreAsCache(a.target())) cloning.add(a);
                else left.add(a); // a clone cannot cross file systems
            }
            if (cloning.isEmpty()) return;
            Files.createDirectory(dir);
            boolean ran = Reflinks.cloneInto(dir, cloning.stream().map(a -> cache.objectPath(a.digest())).toList());
            int cloned = 0;
            for (Action a : cloning) {
                Path clone = dir.resolve(cache.objectPath(a.digest()).getFileName());
                // cp may leave an empty file where a clone failed: only a whole one counts
                if (ran || Files.isRegularFile(clone) && Files.size(clone) == sizes.get(a.digest())) {
                    Files.setPosixFilePermissions(clone, WORKSPACE_FILE);
                    Files.move(clone, a.target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    state.record(stateKey(a.target()), stamp(attrs(a.target())), a.digest());
                    progress.advance(sizes.get(a.digest()));
                    cloned++;
                } else {
                    left.add(a);
                }
            }
            if (clones == null) clones = cloned > 0;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot clone objects of the cache: " + e.getMessage(), e);
        } finally {
            DataGet.deleteTree(dir); // empty, unless clones failed
        }
    }

    private static final Set<java.nio.file.attribute.PosixFilePermission> WORKSPACE_FILE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");

    private void placeLinked(String digest, Path target, LinkType lt, TempLanes temps) {
        Path tmp = null;
        try {
            tmp = workspaceTemp(target, temps);
            Path obj = cache.objectPath(digest);
            if (lt == LinkType.HARDLINK) Files.createLink(tmp, obj);
            else Files.createSymbolicLink(tmp, obj);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null; // renamed: nothing left to delete
            state.record(stateKey(target), stamp(attrs(target)), digest);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot link " + target + " to the cache: " + e.getMessage(), e);
        } finally {
            if (tmp != null) AtomicFiles.deleteQuietly(tmp);
        }
    }

    // ------------------------------------------------------------------ fsck and gc

    /** What fsck found: objects checked, corrupt ones (now in quarantine), leftover temp files removed. */
    public record FsckResult(int checked, List<String> corrupt, int leftoversRemoved, Path quarantine) {
    }

    /** Temp files younger than this in a shared cache may belong to a command running in another repository. */
    static final Duration SHARED_LEFTOVER_AGE = Duration.ofHours(1);

    /**
     * Re-hashes every cached object; corrupt ones are moved to {@code .mlv/quarantine/} ({@code quarantine/} beside the
     * objects of a shared cache). Temp files left by interrupted commands are removed; in a shared cache only those
     * older than {@link #SHARED_LEFTOVER_AGE}, as another repository's command may still be writing the others.
     */
    public FsckResult fsck() {
        Cache.Listing l = cache.list();
        int leftovers = 0;
        Instant cutoff = Instant.now().minus(SHARED_LEFTOVER_AGE);
        for (Path j : l.junk()) {
            boolean file = Files.isRegularFile(j, LinkOption.NOFOLLOW_LINKS);
            boolean tempFolder = !file && cache.isTempFolder(j);
            if ((file || tempFolder) && (!sharedCache || modifiedBefore(j, cutoff))) {
                if (file) AtomicFiles.deleteQuietly(j);
                else DataGet.deleteTree(j); // the temp folder of an interrupted checkout or batch of clones
                leftovers++;
            }
        }
        long bytes = 0;
        for (String n : l.names()) bytes += Math.max(0, cache.size(n));
        List<String> corrupt = java.util.Collections.synchronizedList(new ArrayList<>());
        try (Progress.Task t = progress.start("checking cache", bytes, true)) {
            Parallel.forEach(l.names(), THREADS, n -> {
                long s = cache.size(n);
                boolean ok = cache.verify(n);
                if (ok && Digests.isManifest(n)) {
                    try {
                        Manifest.parse(Files.readAllBytes(cache.objectPath(n)), n);
                    } catch (IOException | RuntimeException e) {
                        ok = false;
                    }
                }
                if (!ok) {
                    cache.quarantine(n);
                    corrupt.add(n);
                }
                t.advance(Math.max(0, s));
            });
        }
        List<String> sorted = new ArrayList<>(corrupt);
        sorted.sort(null);
        return new FsckResult(l.names().size(), sorted, leftovers, cache.quarantineFolder());
    }

    private static boolean modifiedBefore(Path p, Instant cutoff) {
        try {
            return Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff);
        } catch (IOException e) {
            return false; // gone meanwhile: nothing to remove
        }
    }

    /** The digests the pointers {@code tracked} of this repository name, and with {@code allCommits} those of every commit. */
    private Set<String> referencedBy(List<Tracked> tracked, boolean allCommits) {
        Set<String> referenced = new HashSet<>();
        for (Tracked t : tracked) for (PointerFile.Out o : t.file().outs()) referenced.add(o.digest());
        if (allCommits) {
            for (PointerFile pf : historyPointers().values()) for (PointerFile.Out o : pf.outs()) referenced.add(o.digest());
        }
        return referenced;
    }

    /** What gc removed (or would remove), what it kept because it is young, and manifests it could not read. */
    public record GcResult(List<String> removed, long bytes, int kept, int young, List<String> unknownManifests) {
    }

    public GcResult gc(boolean allCommits, boolean dryRun) {
        return gc(allCommits, dryRun, List.of());
    }

    /**
     * Removes cached objects that no pointer in scope references. Scope: the workspace's pointers, plus, with
     * {@code allCommits}, every pointer of every commit reachable from a ref; the same for each repository of
     * {@code projects} (as DVC's {@code gc --projects}), which a {@link #sharedCache shared cache} requires: without
     * them, the objects only other repositories use would go. Those repositories stay locked until the removal is
     * done. Objects modified within the grace period are kept whatever their references.
     */
    public GcResult gc(boolean allCommits, boolean dryRun, List<Path> projects) {
        if (sharedCache && projects.isEmpty()) {
            throw MlvException.invalid("The cache " + cache.root() + " is cache_dir, outside this repository, and may be shared: "
                    + "name every repository that uses it with --projects (--projects . when only this one does)");
        }
        List<Tracked> tracked = allTracked();
        Set<String> trackedKeys = new HashSet<>();
        for (Tracked t : tracked) for (PointerFile.Out o : t.file().outs()) trackedKeys.add(stateKey(t.dataPath(o)));
        if (!dryRun) state.retain(p -> isUnder(p, trackedKeys)); // forget files no pointer tracks any more
        try (OtherRepos others = openOthers(projects)) {
            Referenced keep = referenced(tracked, allCommits, others, m -> cache.contains(m) ? cache.readManifest(m) : null);
            Instant cutoff = Instant.now().minus(config.gcGrace());
            List<String> removed = new ArrayList<>();
            long bytes = 0;
            int kept = 0, young = 0;
            for (String n : cache.list().names()) {
                if (keep.names().contains(n)) {
                    kept++;
                    continue;
                }
                Path p = cache.objectPath(n);
                try {
                    if (Files.getLastModifiedTime(p).toInstant().isAfter(cutoff)) {
                        young++;
                        continue;
                    }
                    bytes += Files.size(p);
                } catch (NoSuchFileException e) {
                    continue;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                removed.add(n);
            }
            if (!dryRun && !removed.isEmpty()) {
                try (Progress.Task t = progress.start("removing unreferenced objects", removed.size(), false)) {
                    for (String n : removed) {
                        cache.delete(n);
                        t.advance(1);
                    }
                }
            }
            removed.sort(null);
            return new GcResult(removed, bytes, kept, young, keep.unknownManifests());
        }
    }

    /**
     * {@code gc --cloud}: removes from {@code remote} the objects that no pointer in scope references (the scope as
     * for {@link #gc}) and that were written before the grace period. A directory's manifest that the cache lacks is
     * read from the remote; when neither has it, nothing is removed (its files cannot be told from garbage).
     * {@code confirm} sees the plan first, and nothing is removed unless it answers true. Manifests go before files,
     * so no directory version is ever visible with files missing.
     */
    public GcResult gcRemote(Remote remote, boolean allCommits, List<Path> projects, java.util.function.Predicate<GcResult> confirm) {
        try (OtherRepos others = openOthers(projects)) {
            return gcRemote(remote, allCommits, others, confirm);
        }
    }

    private GcResult gcRemote(Remote remote, boolean allCommits, OtherRepos others, java.util.function.Predicate<GcResult> confirm) {
        Referenced keep = referenced(allTracked(), allCommits, others, m -> {
            if (cache.contains(m)) return cache.readManifest(m);
            try (InputStream in = remote.open(m)) {
                byte[] bytes = in.readAllBytes();
                return Digests.sha256(bytes).equals(Digests.hexPart(m)) ? Manifest.parse(bytes, m) : null;
            } catch (MlvException e) {
                if (e.code() == ErrorCode.RESOURCE_DOES_NOT_EXIST) return null;
                throw e;
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read manifest " + m + " from " + remote.url() + ": " + e.getMessage(), e);
            }
        });
        if (!keep.unknownManifests().isEmpty()) { // its files cannot be told from garbage: remove nothing
            throw new MlvException(ErrorCode.INVALID_STATE, keep.unknownManifests().size() + " directory version(s) in scope have "
                    + "their manifest neither in the cache nor on " + remote.url() + " (e.g. " + keep.unknownManifests().get(0)
                    + "), so their files cannot be told from garbage; nothing was removed from the remote. Push them from a "
                    + "clone that has them, or narrow the scope (-w)");
        }
        Instant cutoff = Instant.now().minus(config.gcGrace());
        List<String> removed = new ArrayList<>();
        long bytes = 0;
        int kept = 0, young = 0;
        for (Remote.Stored o : remote.list()) {
            if (keep.names().contains(o.name())) kept++;
            else if (o.modified().isAfter(cutoff)) young++;
            else {
                removed.add(o.name());
                bytes += o.size();
            }
        }
        removed.sort(java.util.Comparator.comparing((String n) -> !Digests.isManifest(n)).thenComparing(n -> n));
        GcResult plan = new GcResult(removed, bytes, kept, young, List.of());
        if (!removed.isEmpty() && confirm.test(plan)) remote.delete(removed);
        return plan;
    }

    /** What a gc keeps: the objects referenced, and the manifests of referenced directories that could not be read. */
    private record Referenced(Set<String> names, List<String> unknownManifests) {
    }

    /**
     * The other repositories a gc names ({@code --projects}), open: each one's lock is held until the gc has removed
     * what it removes, so that no command there can start using an object the gc has judged unreferenced (say, an
     * {@code add} that finds an old object already in the shared cache) before it is gone.
     */
    private record OtherRepos(List<DataRepo> repos) implements AutoCloseable {
        @Override
        public void close() {
            for (DataRepo r : repos) r.close();
        }
    }

    /** Opens (and locks) the repositories {@code projects} names, relative to the top of this one; this one is left out. */
    private OtherRepos openOthers(List<Path> projects) {
        OtherRepos others = new OtherRepos(new ArrayList<>());
        try {
            for (Path p : projects) {
                Path other = findRoot(root.resolve(p)).toRealPath();
                if (other.equals(root) || others.repos().stream().anyMatch(r -> r.root.equals(other))) continue;
                others.repos().add(open(other, "mlv data gc (from " + root + ")", x -> StateCache.inMemory(), progress));
            }
            return others;
        } catch (IOException e) {
            others.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            others.close();
            throw e;
        }
    }

    /**
     * The objects that {@code tracked} (with {@code allCommits}: every commit's pointers too) and the repositories
     * {@code others} reference, each directory's files read from its manifest by {@code manifests} (null: unknown).
     */
    private Referenced referenced(List<Tracked> tracked, boolean allCommits, OtherRepos others,
                                  java.util.function.Function<String, Manifest> manifests) {
        Set<String> referenced = referencedBy(tracked, allCommits);
        for (DataRepo r : others.repos()) referenced.addAll(r.referencedBy(r.allTracked(), allCommits));
        List<String> unknown = new ArrayList<>();
        for (String m : referenced.stream().filter(Digests::isManifest).toList()) {
            Manifest manifest = manifests.apply(m);
            if (manifest == null) unknown.add(m);
            else for (Manifest.Entry e : manifest.entries()) referenced.add(e.digest());
        }
        return new Referenced(referenced, unknown);
    }

    /** Whether the state key {@code path} is one of {@code keys} or inside one of them. */
    private static boolean isUnder(String path, Set<String> keys) {
        for (String p = path; ; ) {
            if (keys.contains(p)) return true;
            int slash = p.lastIndexOf('/');
            if (slash < 0) return false;
            p = p.substring(0, slash);
        }
    }

    // ------------------------------------------------------------------ history

    /**
     * One file-level difference between two versions, as DVC's {@code diff} reports it: {@code added}, {@code deleted},
     * {@code modified}, or {@code renamed} (the same bytes under another path; {@code from} is the old path). The digests
     * are those before and after (null on the side where the file does not exist).
     */
    public record Difference(String kind, String path, String from, String oldDigest, String newDigest) {
    }

    /**
     * The file-level differences between two versions, in path order. Without {@code revB}, as DVC's {@code diff}, the
     * new side is the data in the workspace now, hashed (through the state cache), whether or not {@code add} has
     * recorded it yet. A deleted file whose bytes were added under another path is one {@code renamed} difference.
     */
    public List<Difference> diff(String revA, String revB) {
        Map<String, PointerFile.Out> a = outsAt(revA);
        TreeMap<String, String> fa = expand(a); // in path order: renames pair old and new paths in that order
        TreeMap<String, String> fb = revB == null ? workspaceData(a) : expand(outsAt(revB));
        TreeMap<String, Difference> out = new TreeMap<>();
        Map<String, java.util.ArrayDeque<String>> addedByDigest = new HashMap<>();
        for (var e : fb.entrySet()) {
            String old = fa.get(e.getKey());
            if (old == null) addedByDigest.computeIfAbsent(e.getValue(), d -> new java.util.ArrayDeque<>()).add(e.getKey());
            else if (!old.equals(e.getValue())) out.put(e.getKey(), new Difference("modified", e.getKey(), null, old, e.getValue()));
        }
        for (var e : fa.entrySet()) {
            if (fb.containsKey(e.getKey())) continue;
            var sameBytes = addedByDigest.get(e.getValue());
            String to = sameBytes == null ? null : sameBytes.poll();
            if (to == null) out.put(e.getKey(), new Difference("deleted", e.getKey(), null, e.getValue(), null));
            else out.put(to, new Difference("renamed", to, e.getKey(), e.getValue(), e.getValue()));
        }
        addedByDigest.forEach((digest, paths) -> paths.forEach(p -> out.put(p, new Difference("added", p, null, null, digest))));
        return new ArrayList<>(out.values());
    }

    /**
     * Data path → digest (in path order) of every file the workspace's pointers track, as the workspace holds it now (absent data
     * has no entry). A tracked directory that {@code old} names by a manifest the cache does not hold is compared as a
     * whole: one entry, its manifest's name.
     */
    private TreeMap<String, String> workspaceData(Map<String, PointerFile.Out> old) {
        TreeMap<String, String> m = new TreeMap<>();
        for (Tracked t : allTracked()) {
            for (PointerFile.Out o : t.file().outs()) {
                Path data = t.dataPath(o).normalize();
                String key = relative(data);
                if (Files.isRegularFile(data)) {
                    m.put(key, digestOf(entry(data)));
                } else if (Files.isDirectory(data)) {
                    List<Entry> entries = scan(data);
                    Map<String, String> files = digests(entries, key);
                    PointerFile.Out before = old.get(key);
                    if (before != null && before.isDirectory() && !cache.contains(before.digest())) {
                        m.put(key, manifestOf(entries, files).name());
                    } else {
                        files.forEach((rel, digest) -> m.put(key + "/" + rel, digest));
                    }
                }
            }
        }
        return m;
    }

    private Map<String, PointerFile.Out> outsAt(String rev) {
        Git git = new Git(root);
        Map<String, String> ptrs = git.pointersAt(rev);
        Map<String, byte[]> blobs = git.blobs(new LinkedHashSet<>(ptrs.values()));
        Map<String, PointerFile.Out> out = new TreeMap<>();
        for (var e : ptrs.entrySet()) {
            PointerFile pf = PointerFile.parse(blobs.get(e.getValue()), rev + ":" + e.getKey());
            String dir = e.getKey().contains("/") ? e.getKey().substring(0, e.getKey().lastIndexOf('/') + 1) : "";
            for (PointerFile.Out o : pf.outs()) out.put(dir + o.path(), o);
        }
        return out;
    }

    /** Data path → digest in path order, directories expanded to their files when the manifest is in the cache. */
    private TreeMap<String, String> expand(Map<String, PointerFile.Out> outs) {
        TreeMap<String, String> m = new TreeMap<>();
        for (var e : outs.entrySet()) {
            PointerFile.Out o = e.getValue();
            if (o.isDirectory() && cache.contains(o.digest())) {
                for (Manifest.Entry me : cache.readManifest(o.digest()).entries()) m.put(e.getKey() + "/" + me.relpath(), me.digest());
            } else {
                m.put(e.getKey(), o.digest());
            }
        }
        return m;
    }

    /** One version of a pointer file in history. */
    public record Version(String commit, long time, String subject, PointerFile.Out out) {
    }

    /** The versions of a dataset across git history, newest first (consecutive commits with the same digest merged). */
    public List<Version> log(String pointerArg) {
        Path p = resolveUserPath(pointerArg);
        if (!p.getFileName().toString().endsWith(PointerFile.SUFFIX)) p = pointerFor(p);
        String rel = relative(p);
        Git git = new Git(root);
        List<Version> out = new ArrayList<>();
        String last = null;
        for (Git.Commit c : git.log(rel)) {
            byte[] b = git.show(c.id(), rel);
            PointerFile.Out o = b == null ? null : PointerFile.parse(b, c.id() + ":" + rel).outs().get(0);
            String d = o == null ? "(deleted)" : o.digest();
            if (d.equals(last)) {
                out.set(out.size() - 1, new Version(c.id(), c.time(), c.subject(), o));
                continue;
            }
            last = d;
            out.add(new Version(c.id(), c.time(), c.subject(), o));
        }
        return out;
    }
}
