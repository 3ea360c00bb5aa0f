package dev.mlv.client;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.tracking.Metric;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Sends one run's metrics in the background: {@link #add} puts a metric in a bounded queue (blocking when it is full,
 * so a fast training loop cannot exhaust memory), and one daemon thread drains it into {@code runs/log-batch} requests
 * of at most {@value #MAX_BATCH} metrics, in the order they were logged. Transient server errors are retried with
 * back-off; a permanent error is kept and thrown by the next {@link #add} or {@link #flush}.
 */
final class MetricSender {
    static final int MAX_BATCH = 1000;
    static final int DEFAULT_CAPACITY = 20_000;
    private static final int MAX_ATTEMPTS = 6;

    private final RestClient rest;
    private final String runId;
    private final BlockingQueue<Metric> queue;
    private final Thread thread;
    private final Object lock = new Object();
    private long enqueued; // guarded by lock
    private long processed; // guarded by lock
    private volatile RuntimeException failure;
    private volatile boolean stopping;

    MetricSender(RestClient rest, String runId, int capacity) {
        this.rest = rest;
        this.runId = runId;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this::loop, "mlv-metrics-" + runId.substring(0, Math.min(8, runId.length())));
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues a metric; blocks while the queue is full. */
    void add(Metric m) {
        throwIfFailed();
        if (stopping) throw new MlvException(ErrorCode.INVALID_STATE, "Run " + runId + " has ended; cannot log metric " + m.key());
        synchronized (lock) {
            enqueued++;
        }
        try {
            queue.put(m);
        } catch (InterruptedException e) {
            synchronized (lock) {
                enqueued--;
                lock.notifyAll();
            }
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted while logging metric " + m.key());
        }
    }

    /** Waits until every metric queued before this call has been sent; throws the first permanent error. */
    void flush() {
        synchronized (lock) {
            long target = enqueued;
            while (processed < target && thread.isAlive()) {
                try {
                    lock.wait(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new MlvException(ErrorCode.ABORTED, "Interrupted while flushing metrics of run " + runId);
                }
            }
            if (processed < target && failure == null) {
                failure = new MlvException(ErrorCode.INTERNAL_ERROR, "the metric sender thread stopped with "
                        + (target - processed) + " metrics unsent");
            }
        }
        throwIfFailed();
    }

    /** Flushes, then stops the sender thread. */
    void close() {
        try {
            flush();
        } finally {
            stopping = true;
            try {
                thread.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void throwIfFailed() {
        RuntimeException f = failure;
        if (f != null) {
            throw new MlvException(f instanceof MlvException m ? m.code() : ErrorCode.INTERNAL_ERROR,
                    "Logging metrics of run " + runId + " failed: " + f.getMessage(), f);
        }
    }

    private void loop() {
        List<Metric> batch = new ArrayList<>(MAX_BATCH);
        while (true) {
            Metric first;
            try {
                first = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                if (stopping) return;
                continue;
            }
            if (first == null) {
                if (stopping && queue.isEmpty()) return;
                continue;
            }
            batch.add(first);
            queue.drainTo(batch, MAX_BATCH - 1);
            if (failure == null) {
                try {
                    send(batch);
                } catch (RuntimeException e) {
                    failure = e;
                } catch (Error e) {
                    failure = new MlvException(ErrorCode.INTERNAL_ERROR, e.toString(), e);
                }
            }
            synchronized (lock) {
                processed += batch.size();
                lock.notifyAll();
            }
            batch.clear();
        }
    }

    private void send(List<Metric> batch) {
        ObjectNode body = RestClient.object().put("run_id", runId);
        ArrayNode metrics = body.putArray("metrics");
        for (Metric m : batch) {
            ObjectNode point = metrics.addObject().put("key", m.key());
            // NaN and infinities as MLflow's JSON spells them ("NaN", "Infinity", "-Infinity"), not bare tokens
            if (Double.isFinite(m.value())) point.put("value", m.value());
            else point.put("value", Double.toString(m.value()));
            point.put("timestamp", m.timestamp()).put("step", m.step());
        }
        long backoff = 250;
        for (int attempt = 1; ; attempt++) {
            try {
                rest.post("/api/2.0/mlflow/runs/log-batch", body);
                return;
            } catch (MlvException e) {
                if (!isTransient(e.code()) || attempt >= MAX_ATTEMPTS) throw e;
            }
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
                throw new MlvException(ErrorCode.ABORTED, "Interrupted while retrying log-batch");
            }
            backoff = Math.min(backoff * 2, 4_000);
        }
    }

    private static boolean isTransient(ErrorCode code) {
        return code == ErrorCode.TEMPORARILY_UNAVAILABLE || code == ErrorCode.REQUEST_LIMIT_EXCEEDED
                || code == ErrorCode.INTERNAL_ERROR;
    }
}
