package dev.mlv.data;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** Runs work items on a few threads; collects failures instead of stopping at the first one. */
final class Parallel {
    private Parallel() {
    }

    record Failure<T>(T item, RuntimeException error) {
    }

    static <T> List<Failure<T>> forEach(List<T> items, int threads, Consumer<T> work) {
        List<Failure<T>> failures = Collections.synchronizedList(new ArrayList<>());
        if (items.isEmpty()) return failures;
        int n = Math.max(1, Math.min(threads, items.size()));
        AtomicInteger next = new AtomicInteger();
        Runnable worker = () -> {
            for (int i; (i = next.getAndIncrement()) < items.size(); ) {
                T item = items.get(i);
                try {
                    work.accept(item);
                } catch (RuntimeException e) {
                    failures.add(new Failure<>(item, e));
                }
            }
        };
        if (n == 1) {
            worker.run();
            return failures;
        }
        List<Thread> ts = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Thread t = new Thread(worker, "mlv-data-" + i);
            t.setDaemon(true);
            t.start();
            ts.add(t);
        }
        for (Thread t : ts) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("Interrupted", e);
            }
        }
        return failures;
    }
}
