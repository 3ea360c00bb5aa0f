package dev.mlv.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.NewModelVersion;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.TrackingStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * Registry benchmark against an in-process {@link MlvServer} on SQLite, over HTTP/1.1 with the project's
 * {@link RestClient}, single client thread:
 * <ol>
 *   <li><b>Resolve.</b> {@code GET /api/2.0/mlv/models/resolve?uri=models:/<name>@champion} and
 *       {@code …models:/<name>/Production} for random models among M models × V versions (default 1,000 × 100), each
 *       version with a run id; baseline {@code GET /api/2.0/mlflow/runs/get} of one of those runs. Requests of the
 *       three kinds are interleaved so drift hits all alike. MLflow's own lookups
 *       ({@code registered-models/alias}, {@code registered-models/get-latest-versions}) are printed for context.
 *       Goal: p50 and p99 ≤ 1.5× runs/get.</li>
 *   <li><b>Rollback round trip.</b> {@code POST /api/2.0/mlv/registered-models/rollback} of {@code Production}, then
 *       {@code GET …/models/resolve} until the new version is visible (checked, once is enough: the store is
 *       synchronous); baseline one {@code POST /api/2.0/mlflow/runs/set-tag}. Goal ≤ 3×.</li>
 * </ol>
 * The registry is seeded through {@link RegistryStore} directly (not REST) and kept in
 * {@code <bench.dir>/registry-M-V.db} for later runs.
 *
 * <p>Options ({@code -Dbench.*}): {@code models} (1000), {@code versions} (100), {@code iterations} (2000 per kind),
 * {@code warmup} (500 per kind), {@code rollbacks} (500), {@code source} ({@code runs}: {@code runs:/<run>/model}, or
 * {@code artifacts}: {@code mlflow-artifacts:/<exp>/<run>/artifacts/model}), {@code dir}.
 */
public final class RegistryBench {
    private static final int RUNS = 100;

    private RegistryBench() {
    }

    public static void main(String[] args) throws Exception {
        int models = Integer.getInteger("bench.models", 1000);
        int versions = Integer.getInteger("bench.versions", 100);
        int iterations = Integer.getInteger("bench.iterations", 2000);
        int warmup = Integer.getInteger("bench.warmup", 500);
        int rollbacks = Integer.getInteger("bench.rollbacks", 500);
        String sourceKind = System.getProperty("bench.source", "runs");
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath();
        Files.createDirectories(dir);
        Path home = dir.resolve("registry-" + models + "-" + versions + "-" + sourceKind);
        Files.createDirectories(home);
        ServerConfig config = new ServerConfig("127.0.0.1", 0, home, "sqlite:///" + home.resolve("mlv.db"),
                home.resolve("artifacts").toString());
        try (MlvServer server = MlvServer.start(config)) {
            TrackingStore tracking = server.context().metadata().tracking();
            RegistryStore registry = server.context().metadata().registry();
            List<String> runIds = seed(tracking, registry, models, versions, sourceKind);
            RestClient rest = new RestClient(server.url()).withUser("bench");
            System.out.printf(Locale.ROOT, "Registry benchmark: %d models x %d versions (sources %s), SQLite, "
                    + "1 client thread, %d requests per kind after %d warm-up%n", models, versions, sourceKind,
                    iterations, warmup);
            resolve(rest, models, runIds, iterations, warmup);
            rollback(rest, tracking, registry, runIds.get(0), rollbacks);
        }
    }

    private static String modelName(int i) {
        return String.format(Locale.ROOT, "model-%05d", i);
    }

    /**
     * RUNS runs, then M models × V versions (version v from run v % RUNS); the highest version in Production, the one
     * before it aliased {@code champion}. Skipped when the kept database is already complete.
     */
    private static List<String> seed(TrackingStore tracking, RegistryStore registry, int models, int versions,
                                     String sourceKind) {
        String last = modelName(models - 1);
        List<String> runIds = new ArrayList<>();
        var exp = tracking.getExperimentByName("registry-bench");
        String expId = exp.isPresent() ? exp.get().experimentId()
                : tracking.createExperiment("registry-bench", null, List.of());
        boolean complete = false;
        try {
            complete = registry.getModelVersionByAlias(last, "champion") != null;
        } catch (MlvException e) {
            // not seeded (completely) yet
        }
        if (complete) {
            var page = tracking.searchRuns(new dev.mlv.tracking.RunQuery(List.of(expId), null,
                    List.of("attributes.run_name ASC"), RUNS, null, dev.mlv.tracking.ViewType.ACTIVE_ONLY));
            for (Run r : page.items()) runIds.add(r.info().runId());
            System.out.println("(reusing the seeded registry kept in the bench directory)");
            return runIds;
        }
        long t0 = System.nanoTime();
        for (int r = 0; r < RUNS; r++) {
            Run run = tracking.createRun(expId, "bench", System.currentTimeMillis(), String.format("run-%03d", r), List.of());
            tracking.logBatch(run.info().runId(), List.of(new dev.mlv.tracking.Metric("accuracy", 0.5 + r / 1000.0,
                    System.currentTimeMillis(), 0)), List.of(new Param("lr", "0.01")), List.of());
            runIds.add(run.info().runId());
        }
        for (int m = 0; m < models; m++) {
            String name = modelName(m);
            try {
                registry.createRegisteredModel(name, List.of(), null, "bench");
            } catch (MlvException e) {
                // a partly seeded model from an interrupted run: start it over
                registry.deleteRegisteredModel(name, "bench");
                registry.createRegisteredModel(name, List.of(), null, "bench");
            }
            for (int v = 1; v <= versions; v++) {
                String runId = runIds.get(v % RUNS);
                String source = sourceKind.equals("artifacts")
                        ? "mlflow-artifacts:/" + expId + "/" + runId + "/artifacts/model" : "runs:/" + runId + "/model";
                registry.createModelVersion(new NewModelVersion(name, source, runId, List.of(), null, null, List.of()), "bench");
            }
            registry.transitionStage(name, Integer.toString(versions), Stage.PRODUCTION, false, "bench", "seed");
            registry.setAlias(name, "champion", Integer.toString(Math.max(1, versions - 1)), "bench", "seed");
            if ((m + 1) % 100 == 0) {
                System.out.printf(Locale.ROOT, "  seeded %d/%d models (%.0f s)%n", m + 1, models, (System.nanoTime() - t0) / 1e9);
            }
        }
        return runIds;
    }

    private static void resolve(RestClient rest, int models, List<String> runIds, int iterations, int warmup) {
        Random rnd = new Random(42);
        String[] kinds = {"runs/get (baseline)", "resolve models:/<name>@champion", "resolve models:/<name>/Production",
                "mlflow registered-models/alias", "mlflow get-latest-versions Production"};
        long[][] nanos = new long[kinds.length][iterations];
        for (int i = -warmup; i < iterations; i++) {
            String name = modelName(rnd.nextInt(models));
            String runId = runIds.get(rnd.nextInt(runIds.size()));
            // rotate the order so no kind always runs first after the previous round
            for (int j = 0; j < kinds.length; j++) {
                int k = (i + warmup + j) % kinds.length;
                Supplier<JsonNode> call = switch (k) {
                    case 0 -> () -> rest.get("/api/2.0/mlflow/runs/get", Map.of("run_id", runId));
                    case 1 -> () -> rest.get("/api/2.0/mlv/models/resolve", Map.of("uri", "models:/" + name + "@champion"));
                    case 2 -> () -> rest.get("/api/2.0/mlv/models/resolve", Map.of("uri", "models:/" + name + "/Production"));
                    case 3 -> () -> rest.get("/api/2.0/mlflow/registered-models/alias", Map.of("name", name, "alias", "champion"));
                    default -> () -> rest.get("/api/2.0/mlflow/registered-models/get-latest-versions",
                            Map.of("name", name, "stages", "Production"));
                };
                long t = System.nanoTime();
                JsonNode r = call.get();
                long d = System.nanoTime() - t;
                if (r.isEmpty()) throw new IllegalStateException(kinds[k] + " returned nothing");
                if (i >= 0) nanos[k][i] = d;
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %9s %9s %8s %8s%n", "resolve (ms)", "p50", "p99", "p50 x", "p99 x");
        double base50 = pct(nanos[0], 50);
        double base99 = pct(nanos[0], 99);
        for (int k = 0; k < kinds.length; k++) {
            double p50 = pct(nanos[k], 50);
            double p99 = pct(nanos[k], 99);
            System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%s%n", kinds[k], p50, p99, p50 / base50,
                    p99 / base99, k == 1 || k == 2 ? (p50 / base50 <= 1.5 && p99 / base99 <= 1.5 ? "  ok (goal <= 1.5x)"
                            : "  ABOVE GOAL (<= 1.5x)") : "");
        }
    }

    private static void rollback(RestClient rest, TrackingStore tracking, RegistryStore registry, String runId, int n) {
        String name = "rollback-bench-" + System.currentTimeMillis();
        registry.createRegisteredModel(name, List.of(), null, "bench");
        for (int v = 1; v <= 2; v++) {
            registry.createModelVersion(new NewModelVersion(name, "runs:/" + runId + "/model", runId, List.of(), null,
                    null, List.of()), "bench");
        }
        registry.transitionStage(name, "1", Stage.PRODUCTION, false, "bench", "seed");
        registry.transitionStage(name, "2", Stage.PRODUCTION, true, "bench", "seed");
        long[] round = new long[n];
        long[] post = new long[n];
        long[] setTag = new long[n];
        String expected = "2";
        int warm = Math.min(50, n);
        for (int i = -warm; i < n; i++) {
            expected = expected.equals("2") ? "1" : "2";
            long t = System.nanoTime();
            rest.post("/api/2.0/mlv/registered-models/rollback", RestClient.object().put("name", name)
                    .put("stage", "Production").put("reason", "bench"));
            long dPost = System.nanoTime() - t;
            String now = rest.get("/api/2.0/mlv/models/resolve", Map.of("uri", "models:/" + name + "/Production"))
                    .path("model_version").path("version").asText();
            long d = System.nanoTime() - t;
            if (!now.equals(expected)) throw new IllegalStateException("after rollback Production is " + now + ", not " + expected);
            long t2 = System.nanoTime();
            rest.post("/api/2.0/mlflow/runs/set-tag", RestClient.object().put("run_id", runId).put("key", "bench.tag")
                    .put("value", Integer.toString(i)));
            long d2 = System.nanoTime() - t2;
            if (i >= 0) {
                round[i] = d;
                post[i] = dPost;
                setTag[i] = d2;
            }
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "%-40s %9s %9s %8s %8s%n", "rollback (ms)", "p50", "p99", "p50 x", "p99 x");
        double b50 = pct(setTag, 50);
        double b99 = pct(setTag, 99);
        System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%n", "runs/set-tag (baseline)", b50, b99, 1.0, 1.0);
        System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%n", "rollback request alone", pct(post, 50),
                pct(post, 99), pct(post, 50) / b50, pct(post, 99) / b99);
        double p50 = pct(round, 50);
        double p99 = pct(round, 99);
        System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%s%n", "rollback + resolve (round trip)", p50, p99,
                p50 / b50, p99 / b99, p50 / b50 <= 3 && p99 / b99 <= 3 ? "  ok (goal <= 3x)" : "  ABOVE GOAL (<= 3x)");
        System.out.println("(" + n + " rollbacks, each checked: Production alternates between versions 1 and 2; "
                + registry.history(name, "stage", "Production").size() + " moves recorded)");
        // Where the time goes: the same two writes through the stores, without HTTP.
        long[] storeRollback = new long[n];
        long[] storeTag = new long[n];
        for (int i = -warm; i < n; i++) {
            long t = System.nanoTime();
            registry.rollback(name, "stage", "Production", "bench", "bench");
            long d = System.nanoTime() - t;
            long t2 = System.nanoTime();
            tracking.logBatch(runId, List.of(), List.of(), List.of(new dev.mlv.tracking.Tag("bench.tag", "s" + i)));
            long d2 = System.nanoTime() - t2;
            if (i >= 0) {
                storeRollback[i] = d;
                storeTag[i] = d2;
            }
        }
        double s50 = pct(storeTag, 50);
        double s99 = pct(storeTag, 99);
        System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%n", "store only: logBatch(1 tag)", s50, s99, 1.0, 1.0);
        System.out.printf(Locale.ROOT, "%-40s %9.3f %9.3f %8.2f %8.2f%n", "store only: RegistryStore.rollback",
                pct(storeRollback, 50), pct(storeRollback, 99), pct(storeRollback, 50) / s50, pct(storeRollback, 99) / s99);
    }

    /** The p-th percentile in milliseconds (nearest rank). */
    static double pct(long[] nanos, double p) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        int idx = (int) Math.ceil(p / 100.0 * s.length) - 1;
        return s[Math.max(0, Math.min(s.length - 1, idx))] / 1e6;
    }
}
