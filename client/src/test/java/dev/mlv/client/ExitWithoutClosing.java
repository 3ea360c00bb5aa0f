package dev.mlv.client;

/**
 * A training program that logs metrics and exits without ending its run (run by {@link MlvClientTest} in a child JVM):
 * the shutdown hook must flush every queued metric and end the run.
 */
public final class ExitWithoutClosing {
    public static void main(String[] args) {
        MlvClient client = MlvClient.connect(args[0]).captureEnvironment(false);
        ActiveRun run = client.startRun("exit-without-closing");
        System.out.println(run.runId());
        System.out.flush();
        for (int i = 0; i < 5_000; i++) run.logMetric("m", i, i);
        System.exit(0);
    }
}
