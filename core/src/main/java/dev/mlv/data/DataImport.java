package dev.mlv.data;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * {@code mlv data import} and {@code mlv data update} (DVC's): data another git repository tracks (a data registry),
 * downloaded into this repository's cache and workspace like {@link DataGet}, with a pointer that also records where
 * it came from ({@link PointerFile.Import}: the source's URL, the data path there, the revision asked for and the
 * commit it resolved to). {@code update} follows the revision again; {@link #fetch} downloads imported objects that
 * this repository's remote lacks from the source's own remote.
 *
 * <p>The data is checked out before its pointer is written, and the pointer last (atomically), so an interrupted
 * import leaves at most untracked data, never a pointer without its objects in the cache.
 */
public final class DataImport {
    private DataImport() {
    }

    /**
     * What to import.
     *
     * @param repo   git repository: a local path (against the base folder) or any URL {@code git clone} understands
     * @param path   the tracked data, or a file or folder inside a tracked directory, relative to that repository's top
     * @param rev    commit, tag or branch to follow; null for the repository's HEAD
     * @param remote remote name in the source's {@code .mlv/config}; null for its default remote
     * @param out    where the data goes in this repository (absolute); null for the last segment of {@code path} in
     *               the base folder
     */
    public record Request(String repo, String path, String rev, String remote, Path out) {
    }

    /** What an import or update did: the pointer now, whether the data changed, and the download. */
    public record Result(DataRepo.Tracked tracked, String previousCommit, boolean changed, DataRepo.TransferResult fetched) {
    }

    /** Imports; {@code base} is the folder relative paths are resolved against (the current folder). */
    public static Result importData(DataRepo r, Path base, Request req) {
        return importData(r, base, req, false);
    }

    /**
     * Imports; with {@code noDownload} (DVC's {@code --no-download}) only the pointer is written, from the source's
     * own pointer (its digest and size; a part of a tracked directory needs that directory's manifest), and
     * {@code mlv data pull} downloads the data later.
     */
    public static Result importData(DataRepo r, Path base, Request req, boolean noDownload) {
        String dataPath = DataGet.dataPath(req.path());
        Path out = req.out() != null ? req.out() : base.resolve(dataPath.substring(dataPath.lastIndexOf('/') + 1));
        Path pointer = newPointer(r, out);
        String url = req.repo();
        return withSource(r, work -> {
            SourceRepo src = SourceRepo.open(base, url, req.rev(), work, r.progress());
            String stored = src.cloned() ? url : relativeUrl(pointer.getParent(), src.top());
            var source = new PointerFile.Import(dataPath, stored, req.rev(), src.commit(), req.remote());
            return download(r, src, source, new DataRepo.Tracked(pointer, null), false, noDownload);
        });
    }

    /**
     * Updates imported data to what its revision (or {@code rev}, which then becomes the revision followed) names in
     * its source now. Targets that are no imports are refused before anything changes; uncommitted changes to the data
     * are never overwritten unless {@code force}.
     */
    public static List<Result> update(DataRepo r, List<DataRepo.Target> targets, String rev, boolean force) {
        return update(r, targets, rev, force, false);
    }

    /**
     * As {@link #update(DataRepo, List, String, boolean)}; with {@code noDownload} only the pointers change (to the
     * source's new version), and {@code mlv data pull} brings the data.
     */
    public static List<Result> update(DataRepo r, List<DataRepo.Target> targets, String rev, boolean force, boolean noDownload) {
        if (rev != null) Git.requireRevision(rev);
        for (DataRepo.Target t : targets) {
            if (t.tracked().file().source() == null) {
                throw MlvException.invalid("'" + r.root().relativize(t.tracked().pointer()) + "' is not imported: only data from "
                        + "'mlv data import' can be updated ('mlv data add' records a new version of your own data)");
            }
        }
        List<Result> results = new ArrayList<>();
        for (DataRepo.Target t : targets) {
            PointerFile.Import old = t.tracked().file().source();
            Path dir = t.tracked().pointer().getParent();
            String follow = rev != null ? rev : old.rev();
            results.add(withSource(r, work -> {
                SourceRepo src = SourceRepo.open(dir, old.url(), follow, work, r.progress());
                var source = new PointerFile.Import(old.path(), old.url(), follow, src.commit(), old.remote());
                return download(r, src, source, t.tracked(), force, noDownload);
            }));
        }
        return results;
    }

    /**
     * Downloads the objects of imported targets that the cache lacks from each one's source (at its locked commit),
     * verified. Sources are opened once per repository and commit.
     */
    public static DataRepo.TransferResult fetch(DataRepo r, List<DataRepo.Target> imports) {
        Map<String, List<DataRepo.Target>> bySource = new LinkedHashMap<>();
        for (DataRepo.Target t : imports) {
            PointerFile.Import s = t.tracked().file().source();
            Path dir = t.tracked().pointer().getParent();
            String key = (PointerFile.isRelativePath(s.url()) ? dir.resolve(s.url()).normalize().toString() : s.url()) + "@" + s.revLock() + " " + s.remote();
            bySource.computeIfAbsent(key, k -> new ArrayList<>()).add(t);
        }
        DataRepo.TransferResult all = new DataRepo.TransferResult(0, 0, 0, List.of());
        for (List<DataRepo.Target> group : bySource.values()) {
            DataRepo.TransferResult one;
            try {
                PointerFile.Import s = group.get(0).tracked().file().source();
                Path dir = group.get(0).tracked().pointer().getParent();
                one = withSource(r, work -> {
                    SourceRepo src = SourceRepo.open(dir, s.url(), s.revLock(), work, r.progress());
                    SourceRepo.RemoteRef ref = src.remote(src.find(s.path()).path(), s.remote());
                    try (Remote remote = ref.open()) {
                        return r.fetch(remote, group);
                    }
                });
            } catch (MlvException | UncheckedIOException e) {
                one = new DataRepo.TransferResult(0, 0, 0, List.of(group.get(0).tracked().pointer().getFileName() + ": " + e.getMessage()));
            }
            all = all.plus(one);
        }
        return all;
    }

    /**
     * What {@link #fetchAll} did: from the repository's own remote ({@code remoteUrl}; both null when no remote was
     * used) and from the imports' sources (null when nothing was left for them).
     */
    public record Fetched(String remoteUrl, DataRepo.TransferResult fromRemote, DataRepo.TransferResult fromSources) {
    }

    /**
     * Fetches {@code targets}: the repository's own data from its remote {@code remoteName} (null: the default one);
     * imported data from that remote too when it holds it (it was pushed), and what it lacks from each import's source
     * at the commit its pointer locks, or from its URL ({@code import-url}). Imported objects the remote lacks are no failure. When the remote fails for the
     * repository's own data, the sources are not tried.
     */
    public static Fetched fetchAll(DataRepo r, String remoteName, List<DataRepo.Target> targets) {
        List<DataRepo.Target> imports = targets.stream().filter(t -> t.tracked().file().isImported()).toList();
        List<DataRepo.Target> own = targets.stream().filter(t -> !t.tracked().file().isImported()).toList();
        String url = null;
        DataRepo.TransferResult mine = null;
        if (!own.isEmpty() || remoteName != null || r.config().defaultRemote() != null) {
            try (Remote remote = r.openRemote(remoteName)) {
                url = remote.url();
                mine = r.fetch(remote, own);
                List<DataRepo.Target> lacking = lacking(r, imports);
                if (!lacking.isEmpty()) {
                    DataRepo.TransferResult i = r.fetch(remote, lacking); // what the remote lacks comes from the sources
                    mine = mine.plus(new DataRepo.TransferResult(i.transferred(), i.bytes(), i.skipped(), List.of()));
                }
            }
            if (!mine.ok()) return new Fetched(url, mine, null);
        }
        List<DataRepo.Target> lacking = lacking(r, imports);
        if (lacking.isEmpty()) return new Fetched(url, mine, null);
        List<DataRepo.Target> fromUrls = UrlImport.imported(lacking);
        List<DataRepo.Target> fromRepos = imported(lacking);
        DataRepo.TransferResult a = fromRepos.isEmpty() ? null : fetch(r, fromRepos);
        DataRepo.TransferResult b = fromUrls.isEmpty() ? null : UrlImport.fetch(r, fromUrls);
        return new Fetched(url, mine, a == null ? b : b == null ? a : a.plus(b));
    }

    /** The imported targets among {@code targets}. */
    public static List<DataRepo.Target> imported(List<DataRepo.Target> targets) {
        return targets.stream().filter(t -> t.tracked().file().source() != null).toList();
    }

    /**
     * Imported data whose source holds another version now: a revision naming another commit than the one it was
     * imported at, or a URL holding another version; {@code detail} says which, for a person.
     */
    public record SourceMove(DataRepo.Target target, String detail) {
    }

    /** Why the source of an imported target could not be asked. */
    public record SourceProblem(DataRepo.Target target, String reason) {
    }

    /** What {@link #sourceMoves} found: the moved imports, and those whose source could not be asked. */
    public record SourceCheck(List<SourceMove> moved, List<SourceProblem> problems) {
    }

    /** Sources asked at once by {@link #sourceMoves}: each question is mostly waiting on the network. */
    static final int SOURCE_CHECKS_IN_PARALLEL = 4;

    /**
     * For the imported {@code targets} (others are skipped), whether the revision each follows ({@code HEAD} when none)
     * names another commit in its source than the one it was imported at, as {@code dvc status} reports "update
     * available": a local source is asked with {@code git rev-parse}, any other with {@code git ls-remote} (nothing is
     * cloned). Each source and revision is asked once, however many imports follow it, and a few sources at a time.
     * An import pinned to a commit id never moves, and a frozen one is not asked. Data from {@code import-url} is
     * checked too: its URL is asked for the version it holds ({@link UrlImport}). Nothing changes.
     */
    public static SourceCheck sourceMoves(DataRepo r, List<DataRepo.Target> targets) {
        targets = targets.stream().filter(t -> !t.tracked().file().frozen()).toList(); // frozen: its source is not asked
        record Question(Path local, String url, String rev) {
        }
        Map<DataRepo.Target, Question> asked = new LinkedHashMap<>();
        for (DataRepo.Target t : imported(targets)) {
            PointerFile.Import src = t.tracked().file().source();
            String rev = src.rev() != null ? src.rev() : "HEAD";
            if (rev.matches("[0-9a-f]{40}|[0-9a-f]{64}")) continue;
            Path local = SourceRepo.localFolder(t.tracked().pointer().getParent(), src.url());
            asked.put(t, new Question(local, local != null ? null : src.url(), rev));
        }
        Map<Question, Object> answers = new ConcurrentHashMap<>(); // the commit ("" for none), or the exception that says why not
        Parallel.forEach(List.copyOf(new LinkedHashSet<>(asked.values())), SOURCE_CHECKS_IN_PARALLEL, q -> {
            try {
                String now = q.local() != null ? new Git(q.local()).commitOf(q.rev()) : Git.remoteCommitOf(q.url(), q.rev(), r.root());
                answers.put(q, now != null ? now : "");
            } catch (RuntimeException e) {
                answers.put(q, e);
            }
        });
        List<SourceMove> moved = new ArrayList<>();
        List<SourceProblem> problems = new ArrayList<>();
        asked.forEach((t, q) -> {
            PointerFile.Import src = t.tracked().file().source();
            Object a = answers.get(q);
            if (a instanceof RuntimeException e) problems.add(new SourceProblem(t, e.getMessage()));
            else if (a.equals("")) problems.add(new SourceProblem(t, "'" + q.rev() + "' names no commit in " + src.url() + " any more"));
            else if (!a.equals(src.revLock())) {
                moved.add(new SourceMove(t, q.rev() + " moved from " + src.revLock().substring(0, 7) + " to " + ((String) a).substring(0, 7)));
            }
        });
        moved.addAll(UrlImport.moved(r, targets, problems));
        return new SourceCheck(moved, problems);
    }

    /** Of {@code targets}, those with an object (or a directory's manifest) the cache lacks. */
    public static List<DataRepo.Target> lacking(DataRepo r, List<DataRepo.Target> targets) {
        return targets.stream().filter(t -> !r.inCache(t)).toList();
    }

    /**
     * Fetches the data {@code source} names into the cache, checks it out where {@code at}'s pointer says, then writes
     * the pointer; with {@code noDownload}, writes only the pointer. {@code at.file()} is the current pointer (null for
     * a new import).
     */
    private static Result download(DataRepo r, SourceRepo src, PointerFile.Import source, DataRepo.Tracked at, boolean force,
                                   boolean noDownload) {
        Path pointer = at.pointer();
        String name = dataName(pointer);
        SourceRepo.Found found = src.find(source.path());
        SourceRepo.RemoteRef ref = src.remote(found.path(), source.remote());
        PointerFile next;
        DataRepo.TransferResult fetched = new DataRepo.TransferResult(0, 0, 0, List.of());
        try (Remote remote = ref.open()) {
            PointerFile.Out o = found.inside() == null
                    ? new PointerFile.Out(name, found.out().digest(), found.out().size(), found.out().nfiles())
                    : src.part(r.cache(), remote, ref, found, name);
            next = new PointerFile(List.of(o), source);
            PointerFile.Out before = at.file() == null ? null : at.file().outs().get(0);
            if (before != null && before.digest().equals(o.digest()) && at.file().source().revLock().equals(source.revLock())
                    && r.status(List.of(new DataRepo.Target(at, null))).isEmpty()) {
                return new Result(at, source.revLock(), false, new DataRepo.TransferResult(0, 0, 0, List.of()));
            }
            if (!noDownload) {
                List<DataRepo.Target> targets = List.of(new DataRepo.Target(new DataRepo.Tracked(pointer, next), null));
                fetched = r.fetch(remote, targets);
                if (!fetched.ok()) {
                    List<String> f = fetched.failures();
                    throw new MlvException(f.stream().allMatch(s -> s.contains("is not in remote") || s.contains("does not exist"))
                            ? ErrorCode.RESOURCE_DOES_NOT_EXIST : ErrorCode.INVALID_STATE,
                            "Cannot import " + source.path() + " from remote '" + ref.name() + "' (" + remote.url() + "): " + f.size()
                                    + " object(s) failed: " + String.join("; ", f.subList(0, Math.min(3, f.size()))) + (f.size() > 3 ? "; …" : ""));
                }
                r.checkout(targets, force);
            }
        }
        if (noDownload) writePointerOnly(r, pointer, next);
        else writePointer(r, pointer, next);
        String previous = at.file() == null ? null : at.file().source().revLock();
        boolean changed = at.file() == null || !at.file().outs().get(0).digest().equals(next.outs().get(0).digest());
        return new Result(new DataRepo.Tracked(pointer, next), previous, changed, fetched);
    }

    /** The name of the data a pointer file names: its own name without {@code .mlv}. */
    static String dataName(Path pointer) {
        String name = pointer.getFileName().toString();
        return name.substring(0, name.length() - PointerFile.SUFFIX.length());
    }

    /**
     * Writes {@code next} to {@code pointer} and the data's {@code .gitignore} entry, for data that is not here (yet):
     * an import without its download, or data sent straight to a remote.
     */
    static void writePointerOnly(DataRepo r, Path pointer, PointerFile next) {
        r.writePointer(next, pointer);
        r.ensureGitignored(pointer.resolveSibling(dataName(pointer)));
    }

    /**
     * The last step of an import or update, once its data is checked out: writes {@code next} to {@code pointer}
     * (atomically) and the data's {@code .gitignore} entry; an empty folder, which has no file to check out, is made.
     */
    static void writePointer(DataRepo r, Path pointer, PointerFile next) {
        try {
            if (next.outs().get(0).isDirectory()) Files.createDirectories(pointer.resolveSibling(dataName(pointer)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        writePointerOnly(r, pointer, next);
    }

    /**
     * The pointer of new imported data at {@code out} (a user's path, checked to lie inside the repository): neither
     * it nor the data may exist, nor may the data lie inside tracked data.
     */
    static Path newPointer(DataRepo r, Path out) {
        out = r.resolveUserPath(out.toString());
        Path pointer = out.resolveSibling(out.getFileName() + PointerFile.SUFFIX);
        for (Path p : List.of(out, pointer)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw MlvException.alreadyExists("'" + r.root().relativize(p) + "' already exists: choose another OUT, or remove it first");
            }
        }
        Path owner = r.owningPointer(out).orElse(null);
        if (owner != null) {
            throw MlvException.invalid("'" + r.root().relativize(out) + "' is inside the tracked directory "
                    + r.root().relativize(owner).toString().replaceFirst("\\.mlv$", "") + ": import somewhere else");
        }
        return pointer;
    }

    /** Runs {@code job} with a private folder for a clone, inside {@code .mlv/tmp}, removed afterwards in every case. */
    private static <T> T withSource(DataRepo r, Function<Path, T> job) {
        Path work = r.root().resolve(DataRepo.DIR).resolve("tmp").resolve("import-"
                + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE));
        try {
            Files.createDirectories(work);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create " + work + ": " + e.getMessage(), e);
        }
        try {
            return job.apply(work);
        } finally {
            DataGet.deleteTree(work);
        }
    }

    /** A local source as a path relative to the pointer's folder, so the pair of repositories can move together. */
    static String relativeUrl(Path pointerDir, Path sourceTop) {
        String rel = pointerDir.toAbsolutePath().relativize(sourceTop.toAbsolutePath()).toString();
        return rel.isEmpty() ? "." : rel;
    }
}
