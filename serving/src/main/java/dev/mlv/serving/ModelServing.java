package dev.mlv.serving;

import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import dev.mlv.serving.registry.ResolvedModel;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * {@code mlv models serve}: resolves a model URI, downloads and verifies the model, loads it, serves it, and for a
 * stage, alias or {@code latest} URI follows the registry: when the URI resolves to another version, the new version
 * is downloaded and loaded fully, then swapped in atomically (requests in flight finish on the old one).
 */
public final class ModelServing implements AutoCloseable {
    /** Default registry poll interval for moving URIs. */
    public static final Duration DEFAULT_POLL = Duration.ofMillis(250);

    /**
     * What to serve and how. {@code trackingUri} is only needed for registry/run URIs; {@code localName} /
     * {@code localVersion} name a local model directory in the answer headers (defaults: directory name, "local").
     */
    public record Config(String modelUri, String host, int port, String trackingUri, Path cacheDir, Duration pollInterval,
                         long maxBodyBytes, String localName, String localVersion) {
        public static Config of(String modelUri, String host, int port, String trackingUri) {
            return new Config(modelUri, host, port, trackingUri, ModelFetcher.defaultCache(), DEFAULT_POLL,
                    ScoringServer.DEFAULT_MAX_BODY_BYTES, null, null);
        }

        public Config withCacheDir(Path dir) {
            return new Config(modelUri, host, port, trackingUri, dir, pollInterval, maxBodyBytes, localName, localVersion);
        }

        public Config withPollInterval(Duration d) {
            return new Config(modelUri, host, port, trackingUri, cacheDir, d, maxBodyBytes, localName, localVersion);
        }

        public Config withMaxBodyBytes(long n) {
            return new Config(modelUri, host, port, trackingUri, cacheDir, pollInterval, n, localName, localVersion);
        }

        public Config withLocalName(String name, String version) {
            return new Config(modelUri, host, port, trackingUri, cacheDir, pollInterval, maxBodyBytes, name, version);
        }
    }

    private final ScoringServer server;
    private final RegistryFollower follower;

    private ModelServing(ScoringServer server, RegistryFollower follower) {
        this.server = server;
        this.follower = follower;
    }

    /** Loads the model first (failing fast on a bad URI, digest or model), then starts listening. */
    public static ModelServing start(Config c) {
        ModelRef ref = ModelRef.parse(c.modelUri());
        ModelFetcher fetcher = fetcher(ref, c.trackingUri(), c.cacheDir());
        LoadedModel first = load(ref, fetcher, c.localName(), c.localVersion());
        ScoringServer server;
        try {
            server = ScoringServer.start(new ScoringServer.Options(c.host(), c.port(), c.maxBodyBytes()));
        } catch (RuntimeException e) {
            first.release();
            throw e;
        }
        server.install(first);
        return new ModelServing(server, RegistryFollower.start(ref, fetcher, c.pollInterval(), server::current, server::install));
    }

    /** What fetches the files of a registry or run URI ({@code trackingUri} null: the environment's); null for a local directory. */
    static ModelFetcher fetcher(ModelRef ref, String trackingUri, Path cacheDir) {
        if (ref.kind() == ModelRef.Kind.LOCAL) return null;
        return new ModelFetcher(new RestClient(trackingUri != null ? trackingUri : RestClient.trackingUriFromEnv()), cacheDir);
    }

    /**
     * Loads what {@code ref} names: a local model directory (named {@code localName}, default its folder name, version
     * {@code localVersion}, default {@code local}), or the version it resolves to, downloaded and verified.
     */
    static LoadedModel load(ModelRef ref, ModelFetcher fetcher, String localName, String localVersion) {
        if (fetcher != null) {
            ResolvedModel r = fetcher.resolve(ref);
            return LoadedModel.load(fetcher.fetch(r), r.name(), r.version());
        }
        Path dir = Path.of(ref.uri());
        if (!Files.isDirectory(dir)) throw MlvException.notFound("No model directory " + dir);
        String name = localName != null ? localName : String.valueOf(dir.toAbsolutePath().normalize().getFileName());
        return LoadedModel.load(dir, name, localVersion != null ? localVersion : "local");
    }

    public ScoringServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (follower != null) follower.close();
        server.close();
    }
}
