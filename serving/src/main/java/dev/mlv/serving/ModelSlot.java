package dev.mlv.serving;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The model currently served. {@link #swap} replaces it atomically: requests that started on the old version finish
 * on it, new requests see the new one, and the old session closes once its last request has released it.
 */
public final class ModelSlot implements AutoCloseable {
    private final AtomicReference<LoadedModel> current = new AtomicReference<>();
    private boolean closed; // guarded by this: swaps and close are rare, requests never take the lock

    /** The loaded model, or null while none is loaded. Not reference-counted: for reading names only. */
    public LoadedModel peek() {
        return current.get();
    }

    /**
     * Installs {@code next} (already fully loaded) and returns the model it replaced, whose slot reference is dropped.
     * After {@link #close} nothing is installed: {@code next} is released at once, and null returned.
     */
    public synchronized LoadedModel swap(LoadedModel next) {
        if (closed) {
            next.release();
            return null;
        }
        LoadedModel old = current.getAndSet(next);
        if (old != null) old.release();
        return old;
    }

    /**
     * Runs {@code work} on the current model while holding a reference to it, so a concurrent swap cannot close it
     * underneath. Returns null when no model is loaded.
     */
    public <R> R withModel(Function<LoadedModel, R> work) {
        while (true) {
            LoadedModel m = current.get();
            if (m == null) return null;
            if (m.acquire()) {
                try {
                    return work.apply(m);
                } finally {
                    m.release();
                }
            }
            // lost a race with a swap that closed m: read the slot again
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        LoadedModel old = current.getAndSet(null);
        if (old != null) old.release();
    }
}
