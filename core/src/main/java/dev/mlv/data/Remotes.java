package dev.mlv.data;

import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.errors.MlvException;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiConsumer;

/** The one factory from a remote URL to a {@link Remote}: a plain path or {@code file:} is local, others by scheme. */
public final class Remotes {
    /** The option every remote takes: how many objects push and fetch move at once (as DVC's {@code jobs}). */
    public static final String JOBS = "jobs";
    public static final int MAX_JOBS = 128;

    private Remotes() {
    }

    public static Remote open(String url) {
        return open(url, Map.of());
    }

    /**
     * Opens the remote at {@code url} with the options of its {@code .mlv/config} entry; {@code INVALID_PARAMETER_VALUE}
     * for an option its kind of remote does not take.
     */
    public static Remote open(String url, Map<String, String> options) {
        if (url == null || url.isBlank()) throw MlvException.invalid("Empty remote URL");
        requireKnownOptions(url, options.keySet());
        Integer jobs = options.containsKey(JOBS) ? jobs(options.get(JOBS)) : null;
        Map<String, String> own = new HashMap<>(options);
        own.remove(JOBS);
        String scheme = ArtifactStores.schemeOf(url);
        Remote remote;
        if (scheme == null) remote = new LocalRemote(Path.of(url));
        else if (scheme.equals("file")) remote = new LocalRemote(ArtifactStores.fileUriPath(url));
        else remote = provider(url, scheme).open(url, own);
        return jobs == null ? remote : new WithJobs(remote, jobs);
    }

    /** Refuses options the remote at {@code url} does not take, naming those it does. */
    public static void requireKnownOptions(String url, Set<String> options) {
        if (options.isEmpty()) return;
        String scheme = ArtifactStores.schemeOf(url);
        Set<String> known = new TreeSet<>(scheme == null || scheme.equals("file") ? Set.of() : provider(url, scheme).options());
        known.add(JOBS);
        for (String o : new TreeSet<>(options)) {
            if (!known.contains(o)) {
                throw MlvException.invalid("A remote at '" + url + "' takes no option '" + o + "' (it takes " + String.join(", ", known) + ")");
            }
        }
    }

    /** A remote's {@code jobs} option: a whole number from 1 to {@value #MAX_JOBS}. */
    public static int jobs(String value) {
        try {
            return requireJobs(Integer.parseInt(value == null ? "" : value.trim()));
        } catch (NumberFormatException e) {
            throw badJobs(value);
        }
    }

    /** {@code n} when it is a valid number of jobs (1 to {@value #MAX_JOBS}), as {@code --jobs} and the option take. */
    public static int requireJobs(int n) {
        if (n < 1 || n > MAX_JOBS) throw badJobs(Integer.toString(n));
        return n;
    }

    private static MlvException badJobs(String value) {
        return MlvException.invalid("jobs must be a whole number from 1 to " + MAX_JOBS + ", not '" + value + "'");
    }

    /**
     * A remote with its {@code jobs} option: the same remote, whose {@code parallelism()} is that number. Every other
     * method goes to the remote itself, including those with a default (a test checks that none is left out).
     */
    record WithJobs(Remote remote, int parallelism) implements Remote {
        @Override
        public String url() {
            return remote.url();
        }

        @Override
        public Set<String> missing(Collection<String> names) {
            return remote.missing(names);
        }

        @Override
        public void upload(String name, Path file, long size) {
            remote.upload(name, file, size);
        }

        @Override
        public int batchSize() {
            return remote.batchSize();
        }

        @Override
        public void uploadAll(List<Upload> objects) {
            remote.uploadAll(objects);
        }

        @Override
        public InputStream open(String name) {
            return remote.open(name);
        }

        @Override
        public void openAll(List<String> names, BiConsumer<String, InputStream> each) {
            remote.openAll(names, each);
        }

        @Override
        public Path localFile(String name) {
            return remote.localFile(name);
        }

        @Override
        public List<Stored> list() {
            return remote.list();
        }

        @Override
        public void delete(Collection<String> names) {
            remote.delete(names);
        }

        @Override
        public void flush() {
            remote.flush();
        }

        @Override
        public void close() {
            remote.close();
        }
    }

    private static RemoteProvider provider(String url, String scheme) {
        for (RemoteProvider p : ServiceLoader.load(RemoteProvider.class)) {
            if (p.schemes().contains(scheme)) return p;
        }
        throw MlvException.invalid("No data remote for scheme '" + scheme + "' in '" + url
                + "': use a local path, file:///path, s3://bucket/prefix or http(s)://mlv-server");
    }
}
