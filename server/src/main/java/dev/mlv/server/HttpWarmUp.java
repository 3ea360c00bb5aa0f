package dev.mlv.server;

import io.javalin.Javalin;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Loads and initialises logging and the HTTP stack (Javalin, Jetty) on a background thread, by starting and stopping a
 * throwaway app on a free loopback port: a JVM's first Jetty start costs about half a second of class loading and
 * static set-up, and logging's first use scans every jar on the class path. Started by the CLI before it parses its
 * options, this runs while the options parse and the database opens; {@link MlvServer#start} then waits for it, and
 * the real app starts in a few milliseconds. This class has no logger of its own, so loading it costs nothing.
 */
public final class HttpWarmUp {
    private static volatile CompletableFuture<Void> warmUp;

    private HttpWarmUp() {
    }

    /** Starts the warm-up, once, for a process about to call {@link MlvServer#start}. */
    public static synchronized void start() {
        if (warmUp != null) return;
        warmUp = CompletableFuture.runAsync(HttpWarmUp::run, task -> {
            Thread t = new Thread(task, "mlv-http-warm-up");
            t.setDaemon(true);
            t.start();
        });
    }

    /** Waits for the warm-up (or does it now when none was started); a failure is logged, as it is only a speed-up. */
    static void await() {
        CompletableFuture<Void> w = warmUp;
        if (w == null) {
            run();
            return;
        }
        try {
            w.join();
        } catch (CompletionException e) {
            org.slf4j.LoggerFactory.getLogger(HttpWarmUp.class).debug("HTTP warm-up failed; the server starts without it", e.getCause());
        }
    }

    private static void run() {
        org.slf4j.LoggerFactory.getILoggerFactory();
        Javalin warm = Javalin.create(c -> c.startup.showJavalinBanner = false);
        try {
            warm.start("127.0.0.1", 0);
        } finally {
            warm.stop();
        }
    }
}
