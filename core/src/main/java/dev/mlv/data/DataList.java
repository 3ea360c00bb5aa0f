package dev.mlv.data;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code mlv data list} (DVC's {@code dvc list}): what a folder of another git repository holds at a revision, the
 * files git tracks and the data mlv tracks, so that a user can see what {@link DataGet} could download. A folder
 * inside tracked data is listed from the data's manifest, which is then downloaded (verified) from the source's
 * remote; nothing else is downloaded, and plain listings need no remote at all.
 */
public final class DataList {
    /** By path, a folder as if its name ended in '/', so that its files follow it. */
    private static final Comparator<Entry> ORDER = Comparator.comparing(e -> e.path() + (e.directory() ? "/" : ""));

    private DataList() {
    }

    /**
     * What to list.
     *
     * @param repo      git repository: a local path or any URL {@code git clone} understands
     * @param path      folder (or tracked data) to list, relative to the top; null or empty for the top
     * @param rev       commit, tag or branch; null for HEAD
     * @param remote    remote name in the source's {@code .mlv/config}, for manifests; null for its default remote
     * @param recursive every file below the folder, tracked directories expanded (folders are not entries then),
     *                  instead of its direct entries
     * @param dataOnly  only data mlv tracks (no files of git's, pointer files included)
     */
    public record Request(String repo, String path, String rev, String remote, boolean recursive, boolean dataOnly) {
    }

    /**
     * One entry, its path relative to the folder listed (a file listed by name: its name).
     *
     * @param data   whether mlv tracks it (or it lies inside tracked data)
     * @param size   bytes (a folder of data: all its files; a folder of git's: 0)
     * @param nfiles files in a folder of data; null otherwise
     * @param digest a data file's or directory's digest; null for git's files and folders inside tracked data
     */
    public record Entry(String path, boolean directory, boolean data, long size, Integer nfiles, String digest) {
    }

    public record Result(String commit, List<Entry> entries) {
    }

    public static Result list(Path base, Request req, Progress progress) {
        String path = folder(req.path());
        Path work;
        try {
            work = Files.createTempDirectory("mlv-data-list-");
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a temporary folder: " + e.getMessage(), e);
        }
        try {
            SourceRepo src = SourceRepo.open(base, req.repo(), req.rev(), work, progress);
            Manifests manifests = new Manifests(src, req.remote(), new Cache(work.resolve("cache"), work.resolve("quarantine")));
            try {
                List<Entry> entries = inGit(src, path, req, manifests);
                if (entries == null) entries = inData(src, path, req.recursive(), manifests);
                if (req.dataOnly()) entries = entries.stream().filter(Entry::data).toList();
                return new Result(src.commit(), entries.stream().sorted(ORDER).toList());
            } finally {
                manifests.close();
            }
        } finally {
            DataGet.deleteTree(work);
        }
    }

    /**
     * {@code mlv data ls-url} (DVC's {@code dvc ls-url}): what the file or folder at {@code url} holds, any source
     * {@code import-url} reads: a file as one entry by its name; a folder's direct entries (sub-folders with their size
     * and file count), or with {@code recursive} every file below it. Nothing is downloaded. Relative paths and
     * {@code remote://} URLs are taken from the folder {@code base}.
     */
    public static List<Entry> listUrl(Path base, String url, boolean recursive) {
        try (UrlReader reader = UrlReaders.from(base, url)) {
            Path path = UrlReaders.localSource(base, url);
            boolean local = path != null;
            String location = local ? path.toString() : url;
            List<UrlReader.Listed> files = reader.list(location);
            if (files.isEmpty()) {
                long size = local ? localFileSize(path, url) : reader.version(location).size();
                String name = local ? String.valueOf(path.getFileName()) : UrlImport.lastSegment(url);
                return List.of(new Entry(name != null ? name : url, false, false, size, null, null));
            }
            Map<String, Entry> entries = new LinkedHashMap<>();
            for (UrlReader.Listed f : files) {
                long size = f.version().size() == null ? 0 : f.version().size();
                int slash = f.relpath().indexOf('/');
                if (recursive || slash < 0) {
                    entries.put(f.relpath(), new Entry(f.relpath(), false, false, size, null, null));
                } else {
                    entries.merge(f.relpath().substring(0, slash), new Entry(f.relpath().substring(0, slash), true, false, size, 1, null),
                            (a, b) -> new Entry(a.path(), true, false, a.size() + b.size(), a.nfiles() + b.nfiles(), null));
                }
            }
            return entries.values().stream().sorted(ORDER).toList();
        }
    }

    private static long localFileSize(Path path, String url) {
        try {
            if (!Files.isRegularFile(path)) throw MlvException.notFound("No such file or folder: " + url);
            return Files.size(path);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + url + ": " + e.getMessage(), e);
        }
    }

    /**
     * The entries of a folder git has, tracked data among them, or the file git has at {@code path}; null when git has
     * neither there.
     */
    private static List<Entry> inGit(SourceRepo src, String path, Request req, Manifests manifests) {
        List<Git.TreeEntry> tree = src.git().tree(src.commit(), path, req.recursive());
        if (tree.isEmpty()) {
            if (path.isEmpty()) return List.of();
            byte[] file = src.file(path);
            return file == null ? null : List.of(new Entry(path.substring(path.lastIndexOf('/') + 1), false, false, file.length, null, null));
        }
        String prefix = path.isEmpty() ? "" : path + "/";
        List<Entry> entries = new ArrayList<>();
        for (Git.TreeEntry t : tree) {
            String rel = t.path().substring(prefix.length());
            entries.add(new Entry(rel, t.directory(), false, t.size(), null, null));
            if (t.directory() || !rel.endsWith(PointerFile.SUFFIX) || rel.equals(PointerFile.SUFFIX)) continue;
            String dataRel = rel.substring(0, rel.length() - PointerFile.SUFFIX.length());
            PointerFile.Out o = src.pointer(prefix + dataRel);
            if (!req.recursive() || !o.isDirectory()) {
                entries.add(new Entry(dataRel, o.isDirectory(), true, o.size(), o.nfiles(), o.digest()));
            } else { // its files instead, as git's folders are listed recursively
                Manifest m = manifests.of(new SourceRepo.Found(prefix + dataRel, o, null));
                for (Manifest.Entry e : m.entries()) entries.add(file(dataRel + "/" + e.relpath(), e));
            }
        }
        return entries;
    }

    /** The entries of tracked data {@code path} is, or lies inside (a folder of its manifest). */
    private static List<Entry> inData(SourceRepo src, String path, boolean recursive, Manifests manifests) {
        SourceRepo.Found found = src.find(path);
        String name = path.substring(path.lastIndexOf('/') + 1);
        if (!found.out().isDirectory()) return List.of(new Entry(name, false, true, found.out().size(), null, found.out().digest()));
        Manifest m = manifests.of(found);
        String prefix = found.inside() == null ? "" : found.inside() + "/";
        List<Entry> files = new ArrayList<>();
        Map<String, long[]> folders = new LinkedHashMap<>(); // direct sub-folder → {size, files}
        for (Manifest.Entry e : m.entries()) {
            if (found.inside() != null && e.relpath().equals(found.inside())) return List.of(file(name, e));
            if (!e.relpath().startsWith(prefix)) continue;
            String rel = e.relpath().substring(prefix.length());
            int slash = rel.indexOf('/');
            if (recursive || slash < 0) {
                files.add(file(rel, e));
            } else {
                long[] f = folders.computeIfAbsent(rel.substring(0, slash), k -> new long[2]);
                f[0] += e.size();
                f[1]++;
            }
        }
        if (files.isEmpty() && folders.isEmpty()) {
            throw MlvException.notFound("No '" + found.inside() + "' in the tracked directory '" + found.path() + "' at "
                    + src.at() + " (it has " + m.entries().size() + " file(s))");
        }
        folders.forEach((dir, f) -> files.add(new Entry(dir, true, true, f[0], (int) f[1], null)));
        return files;
    }

    private static Entry file(String path, Manifest.Entry e) {
        return new Entry(path, false, true, e.size(), null, e.digest());
    }

    /** PATH as a normalised relative folder; empty for the top. */
    private static String folder(String raw) {
        if (raw == null || raw.isBlank() || raw.strip().equals(".")) return "";
        try {
            String s = ArtifactPath.parseLiteral(raw).toString();
            return s.endsWith(PointerFile.SUFFIX) && !s.endsWith("/" + PointerFile.SUFFIX) && s.length() > PointerFile.SUFFIX.length()
                    ? s.substring(0, s.length() - PointerFile.SUFFIX.length()) : s;
        } catch (MlvException e) {
            throw MlvException.invalid("Invalid PATH '" + raw + "' (a path relative to the top of the repository): " + e.getMessage());
        }
    }

    /** Manifests from the source's remote, opened on first need. */
    private static final class Manifests implements AutoCloseable {
        private final SourceRepo src;
        private final String remoteName;
        private final Cache cache;
        private final Map<String, Remote> open = new LinkedHashMap<>();

        Manifests(SourceRepo src, String remoteName, Cache cache) {
            this.src = src;
            this.remoteName = remoteName;
            this.cache = cache;
        }

        Manifest of(SourceRepo.Found found) {
            SourceRepo.RemoteRef ref = src.remote(found.path(), remoteName);
            Remote remote = open.computeIfAbsent(ref.url(), Remotes::open);
            return SourceRepo.manifest(cache, remote, ref, found);
        }

        @Override
        public void close() {
            open.values().forEach(Remote::close);
        }
    }
}
