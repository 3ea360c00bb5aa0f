package dev.mlv.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * What authentication and permission checks add to a request: {@code runs/log-metric} and {@code runs/get}, one at
 * a time, on three clients of in-process servers on SQLite (fresh under {@code bench.dir}):
 * <ul>
 *   <li>open: a server without {@code --auth} (the baseline);</li>
 *   <li>admin: a server with users, as an administrator (authentication only: administrators skip the checks);</li>
 *   <li>user: the same server as a user who created the experiment (authentication plus one grant lookup).</li>
 * </ul>
 * {@code bench.rounds} (default 5) rounds of {@code bench.requests} (default 1000) requests per client, interleaved,
 * after a warm-up. Prints p50 and p99 per client and the ratios of p50s. Context only: no issue sets a goal for it.
 */
public final class AuthBench {
    private AuthBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 5);
        int requests = Integer.getInteger("bench.requests", 1000);
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath().resolve("auth");
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        ServerConfig securedConfig = ServerConfig.forHome(dir.resolve("secured")).withPort(0).withUsersInDatabase();
        try (MetadataStore db = MetadataStores.open(securedConfig.effectiveBackendStoreUri(), MlvServer.DEFAULT_ARTIFACT_ROOT)) {
            db.users().create(User.withPassword("root", "root-secret", PasswordHash.DEFAULT_ITERATIONS, true), "setup");
            db.users().create(User.withPassword("alice", "alice-secret", PasswordHash.DEFAULT_ITERATIONS, false), "setup");
        }
        try (MlvServer open = MlvServer.start(ServerConfig.forHome(dir.resolve("open")).withPort(0));
             MlvServer secured = MlvServer.start(securedConfig)) {
            List<Client> clients = List.of(
                    new Client("open", new RestClient(open.url())),
                    new Client("admin", new RestClient(secured.url()).withBasicAuth("root", "root-secret")),
                    new Client("user", new RestClient(secured.url()).withBasicAuth("alice", "alice-secret")));
            // alice creates the experiment (and so manages it); root, an administrator, logs to it too
            String experiment = clients.get(2).rest.post("/api/2.0/mlflow/experiments/create",
                    RestClient.object().put("name", "bench")).path("experiment_id").asText();
            clients.get(0).prepare("0");
            clients.get(1).prepare(experiment);
            clients.get(2).prepare(experiment);
            for (Client c : clients) c.round(requests, false); // warm-up
            for (int r = 0; r < rounds; r++) {
                for (Client c : clients) c.round(requests, true);
            }
            System.out.printf(Locale.ROOT, "Authorization overhead, %d x %d requests per client, one at a time "
                    + "(SQLite, in-process servers, loopback)%n", rounds, requests);
            System.out.printf(Locale.ROOT, "%-8s %22s %22s%n", "client", "log-metric p50/p99 ms", "runs/get p50/p99 ms");
            for (Client c : clients) {
                System.out.printf(Locale.ROOT, "%-8s %10.3f / %8.3f %10.3f / %8.3f%n", c.name,
                        pct(c.writes, 50), pct(c.writes, 99), pct(c.reads, 50), pct(c.reads, 99));
            }
            Client base = clients.get(0);
            for (Client c : clients.subList(1, 3)) {
                System.out.printf(Locale.ROOT, "%s / open (p50): log-metric %.2fx, runs/get %.2fx%n", c.name,
                        pct(c.writes, 50) / pct(base.writes, 50), pct(c.reads, 50) / pct(base.reads, 50));
            }
        }
    }

    private static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }

    /** One client: its run, and the latencies it measured. */
    private static final class Client {
        final String name;
        final RestClient rest;
        final List<Double> writes = new ArrayList<>();
        final List<Double> reads = new ArrayList<>();
        String run;
        long step;

        Client(String name, RestClient rest) {
            this.name = name;
            this.rest = rest;
        }

        void prepare(String experiment) {
            run = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", experiment))
                    .path("run").path("info").path("run_id").asText();
        }

        void round(int n, boolean record) {
            for (int i = 0; i < n; i++) {
                ObjectNode metric = RestClient.object().put("run_id", run).put("key", "loss").put("value", 1.0 / (step + 1))
                        .put("timestamp", System.currentTimeMillis()).put("step", step++);
                long t0 = System.nanoTime();
                rest.post("/api/2.0/mlflow/runs/log-metric", metric);
                long t1 = System.nanoTime();
                rest.get("/api/2.0/mlflow/runs/get", java.util.Map.of("run_id", run));
                long t2 = System.nanoTime();
                if (record) {
                    writes.add((t1 - t0) / 1e6);
                    reads.add((t2 - t1) / 1e6);
                }
            }
        }
    }
}
