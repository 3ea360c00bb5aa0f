package dev.mlv.artifacts;

import dev.mlv.data.AtomicFiles;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.*;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.*;
import java.util.stream.Stream;

/** Artifacts as files under a root folder; writes go to a temp file, are fsynced and renamed into place. */
public final class LocalArtifactStore implements ArtifactStore {
    private final Path root;

    public LocalArtifactStore(Path root) {
        try {
            Files.createDirectories(root);
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create artifact root " + root, e);
        }
    }

    public Path root() {
        return root;
    }

    @Override
    public long put(ArtifactPath path, InputStream content) {
        Path tmp = null;
        try {
            Path target = writableTarget(path);
            tmp = Files.createTempFile(target.getParent(), "." + target.getFileName(), ".tmp");
            long n;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                n = 0;
                var out = java.nio.channels.Channels.newOutputStream(ch);
                byte[] buf = new byte[1 << 16];
                for (int r; (r = content.read(buf)) > 0; ) {
                    out.write(buf, 0, r);
                    n += r;
                }
                ch.force(true);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            tmp = null;
            AtomicFiles.fsyncDirectory(target.getParent());
            return n;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write artifact " + path, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort: the temp file has a dot name and is never listed
                }
            }
        }
    }

    /**
     * Writes each file to a temp file beside its target as it is added; {@link Batch#commit} syncs the file system
     * once, renames every temp file into place, and syncs once more, instead of two fsyncs per file
     * ({@link AtomicFiles#moveIntoPlaceDurably}).
     */
    @Override
    public Batch batch() {
        return new Batch() {
            private final Map<Path, Path> temps = new LinkedHashMap<>(); // target -> its temp file

            @Override
            public void add(ArtifactPath path, byte[] bytes) {
                Path target, tmp = null;
                try {
                    target = writableTarget(path);
                    tmp = AtomicFiles.tempBeside(target);
                    Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (IOException e) {
                    if (tmp != null) AtomicFiles.deleteQuietly(tmp);
                    throw new UncheckedIOException("Cannot write artifact " + path, e);
                }
                Path before = temps.put(target, tmp);
                if (before != null) AtomicFiles.deleteQuietly(before);
            }

            @Override
            public void commit() {
                if (temps.isEmpty()) return;
                Set<Path> folders = new HashSet<>();
                temps.keySet().forEach(target -> folders.add(target.getParent()));
                try {
                    AtomicFiles.moveIntoPlaceDurably(temps, root);
                } catch (IOException e) {
                    throw new UncheckedIOException("Cannot write artifacts under " + root + ": " + e.getMessage(), e);
                } finally {
                    // the renames done, even when one failed
                    if (!AtomicFiles.durabilityBarrier(root)) folders.forEach(AtomicFiles::fsyncDirectory);
                }
            }

            @Override
            public void close() {
                temps.values().forEach(AtomicFiles::deleteQuietly);
                temps.clear();
            }
        };
    }

    /**
     * Where {@code path} is written, its folder created: refused for the root, and checked again once the folders
     * exist, since creating them must not have walked through a symlink out of the store.
     */
    private Path writableTarget(ArtifactPath path) throws IOException {
        if (path.isRoot()) throw MlvException.invalid("Cannot write to the artifact root");
        Path target = path.resolveUnder(root);
        Files.createDirectories(target.getParent());
        path.resolveUnder(root);
        return target;
    }

    @Override
    public InputStream open(ArtifactPath path) {
        Path p = path.resolveUnder(root);
        if (!Files.isRegularFile(p)) throw MlvException.notFound("Artifact '" + path + "' does not exist");
        try {
            return Files.newInputStream(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Optional<FileInfo> stat(ArtifactPath path) {
        Path p = path.resolveUnder(root);
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            return Optional.of(new FileInfo(path.toString(), a.isDirectory(), a.isDirectory() ? null : a.size()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (FileSystemException e) {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return Optional.empty(); // e.g. ENOTDIR: a file is in the way
            throw new UncheckedIOException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * As {@link #stat} would answer for each path, with each folder's symlink check done once for all the names asked
     * in it, and one {@code lstat} per name (a name that is itself a symlink gets the full check of {@code stat}).
     */
    @Override
    public Set<ArtifactPath> files(Collection<ArtifactPath> paths) {
        Map<ArtifactPath, List<ArtifactPath>> byFolder = new HashMap<>();
        for (ArtifactPath p : paths) if (!p.isRoot()) byFolder.computeIfAbsent(p.parent(), k -> new ArrayList<>()).add(p);
        Set<ArtifactPath> files = new HashSet<>();
        for (var e : byFolder.entrySet()) {
            Path folder = e.getKey().resolveUnder(root);
            if (!Files.isDirectory(folder)) continue; // nothing asked about in it exists
            for (ArtifactPath p : e.getValue()) {
                try {
                    BasicFileAttributes a = Files.readAttributes(folder.resolve(p.name()), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                    if (a.isRegularFile() || a.isSymbolicLink() && stat(p).filter(f -> !f.isDir()).isPresent()) files.add(p);
                } catch (NoSuchFileException absent) {
                    // not there
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        return files;
    }

    @Override
    public List<FileInfo> list(ArtifactPath directory) {
        Path dir = directory.resolveUnder(root);
        if (!Files.isDirectory(dir)) return List.of();
        List<FileInfo> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path child : (Iterable<Path>) s::iterator) {
                String name = child.getFileName().toString();
                if (name.startsWith(".") && name.endsWith(".tmp")) continue;
                String rel = directory.isRoot() ? name : directory + "/" + name;
                BasicFileAttributes a = Files.readAttributes(child, BasicFileAttributes.class);
                out.add(new FileInfo(rel, a.isDirectory(), a.isDirectory() ? null : a.size()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparing(FileInfo::path));
        return out;
    }

    @Override
    public void delete(ArtifactPath path) {
        Path p = path.resolveUnder(root);
        if (path.isRoot()) throw MlvException.invalid("Cannot delete the artifact root");
        try {
            if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    Files.delete(d);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete artifact " + path, e);
        }
    }

    @Override
    public String uri() {
        return root.toUri().toString();
    }
}
