package dev.mlv.serving;

import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import dev.mlv.serving.registry.ResolvedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Follows a stage, alias or {@code latest} URI in the registry: every poll resolves it, and when it names another
 * version, that version is downloaded, verified and loaded fully, then handed to {@code install} (which swaps it in
 * atomically). A version that fails to load is retried after {@value #RETRY_FAILED_MS} ms; meanwhile the current one
 * stays. Used by the scoring server and by {@link LocalModel#follow}.
 */
final class RegistryFollower implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RegistryFollower.class);
    static final long RETRY_FAILED_MS = 5_000;

    private final ModelRef ref;
    private final ModelFetcher fetcher;
    private final Supplier<LoadedModel> current;
    private final Consumer<LoadedModel> install;
    private final ScheduledExecutorService poller;
    private volatile boolean closed;
    private volatile String failedVersion;
    private volatile long failedAt;

    private RegistryFollower(ModelRef ref, ModelFetcher fetcher, Supplier<LoadedModel> current, Consumer<LoadedModel> install) {
        this.ref = ref;
        this.fetcher = fetcher;
        this.current = current;
        this.install = install;
        this.poller = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "mlv-model-follow");
            t.setDaemon(true);
            return t;
        });
    }

    /** Polls every {@code interval} (at least 10 ms); null when {@code ref} names a fixed version (nothing to follow). */
    static RegistryFollower start(ModelRef ref, ModelFetcher fetcher, Duration interval, Supplier<LoadedModel> current,
                                  Consumer<LoadedModel> install) {
        if (!ref.moves() || fetcher == null) return null;
        RegistryFollower f = new RegistryFollower(ref, fetcher, current, install);
        long ms = Math.max(10, interval.toMillis());
        f.poller.scheduleWithFixedDelay(f::poll, ms, ms, TimeUnit.MILLISECONDS);
        return f;
    }

    /** One poll: resolve the URI; when it names another version, load it fully and install it. */
    private void poll() {
        try {
            ResolvedModel r = fetcher.resolve(ref);
            LoadedModel cur = current.get();
            if (cur != null && cur.version().equals(r.version()) && cur.name().equals(r.name())) return;
            if (r.version().equals(failedVersion) && System.currentTimeMillis() - failedAt < RETRY_FAILED_MS) return;
            LOG.info("{} now resolves to {} version {}: loading it", ref.uri(), r.name(), r.version());
            LoadedModel next;
            try {
                next = LoadedModel.load(fetcher.fetch(r), r.name(), r.version());
            } catch (RuntimeException e) {
                failedVersion = r.version();
                failedAt = System.currentTimeMillis();
                LOG.error("Cannot load {} version {}; still serving version {}: {}", r.name(), r.version(),
                        cur == null ? "none" : cur.version(), e.getMessage());
                return;
            }
            if (closed) next.release();
            else install.accept(next);
        } catch (RuntimeException e) {
            if (!closed) LOG.warn("Polling {} failed (serving continues): {}", ref.uri(), e.getMessage());
        }
    }

    @Override
    public void close() {
        closed = true;
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
