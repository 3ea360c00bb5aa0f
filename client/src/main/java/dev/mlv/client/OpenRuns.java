package dev.mlv.client;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The runs of this JVM not yet ended, and the one shutdown hook that flushes and ends them when the JVM exits, so
 * metrics still queued are never lost on a normal exit (including {@code System.exit} and SIGTERM).
 */
final class OpenRuns {
    private static final Set<ActiveRun> OPEN = ConcurrentHashMap.newKeySet();
    private static volatile boolean hookInstalled;

    private OpenRuns() {
    }

    static void register(ActiveRun run) {
        installHook();
        OPEN.add(run);
    }

    static void unregister(ActiveRun run) {
        OPEN.remove(run);
    }

    private static synchronized void installHook() {
        if (hookInstalled) return;
        Runtime.getRuntime().addShutdownHook(new Thread(OpenRuns::endAll, "mlv-runs-shutdown"));
        hookInstalled = true;
    }

    private static void endAll() {
        for (ActiveRun run : OPEN.toArray(new ActiveRun[0])) {
            try {
                run.close();
            } catch (RuntimeException e) {
                System.err.println("mlv: could not end run " + run.runId() + " at exit: " + e.getMessage());
            }
        }
    }
}
