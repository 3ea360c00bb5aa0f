package dev.mlv.bench;

import com.sun.net.httpserver.HttpServer;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.server.webhooks.WebhookSettings;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * How soon a registry change reaches a webhook, against the change's own request: an in-process {@link MlvServer} on
 * SQLite (fresh under {@code bench.dir}), a receiver on loopback, one webhook subscribed to
 * {@code model_version_alias.created}. Each of {@code bench.moves} (default 300, after 50 warm-up) alias moves is timed
 * from sending {@code POST registered-models/alias} to its answer (the baseline: the change, committed with its
 * queued delivery) and to the receiver's arrival of the delivery (the outbox: poll, claim, send, in another thread).
 * Prints p50 and p99 of both and their ratio. Context only: the issue sets no goal for it.
 */
public final class WebhookBench {
    private WebhookBench() {
    }

    public static void main(String[] args) throws Exception {
        int moves = Integer.getInteger("bench.moves", 300);
        int warmup = 50;
        Path home = Path.of(System.getProperty("bench.dir", "bench/target-bench")).toAbsolutePath().resolve("webhooks");
        if (Files.exists(home)) {
            try (var files = Files.walk(home)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(home);
        LinkedBlockingQueue<Long> arrivals = new LinkedBlockingQueue<>();
        HttpServer receiver = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        receiver.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            arrivals.add(System.nanoTime());
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        var receiverThreads = java.util.concurrent.Executors.newFixedThreadPool(2);
        receiver.setExecutor(receiverThreads);
        receiver.start();
        WebhookSettings loopback = new WebhookSettings(Set.of("http"), true, Duration.ofSeconds(10), 3,
                Duration.ofSeconds(1), 2, null);
        try (MlvServer server = MlvServer.start(ServerConfig.forHome(home).withPort(0).withWebhooks(loopback))) {
            RestClient rest = new RestClient(server.url()).withUser("bench");
            var hook = RestClient.object().put("name", "bench").put("url", "http://127.0.0.1:" + receiver.getAddress().getPort() + "/");
            hook.putArray("events").addObject().put("entity", "MODEL_VERSION_ALIAS").put("action", "CREATED");
            rest.post("/api/2.0/mlflow/webhooks", hook);
            rest.post("/api/2.0/mlflow/registered-models/create", RestClient.object().put("name", "bench"));
            String run = rest.post("/api/2.0/mlflow/runs/create", RestClient.object().put("experiment_id", "0"))
                    .path("run").path("info").path("run_id").asText();
            rest.post("/api/2.0/mlflow/model-versions/create", RestClient.object().put("name", "bench")
                    .put("source", "runs:/" + run + "/model").put("run_id", run));
            List<Double> request = new ArrayList<>(), delivered = new ArrayList<>();
            for (int i = 0; i < warmup + moves; i++) {
                long start = System.nanoTime();
                rest.post("/api/2.0/mlflow/registered-models/alias", RestClient.object().put("name", "bench")
                        .put("alias", "a" + (i % 20)).put("version", "1"));
                long answered = System.nanoTime();
                Long arrived = arrivals.poll(30, TimeUnit.SECONDS);
                if (arrived == null) throw new IllegalStateException("delivery " + i + " did not arrive within 30 s");
                if (i >= warmup) {
                    request.add((answered - start) / 1e6);
                    delivered.add((arrived - start) / 1e6);
                }
            }
            System.out.printf(Locale.ROOT, "Webhook delivery, %d alias moves one at a time (SQLite, in-process server, "
                    + "loopback receiver)%n", moves);
            System.out.printf(Locale.ROOT, "  POST registered-models/alias answered   p50 %7.2f ms  p99 %7.2f ms  (baseline)%n",
                    pct(request, 50), pct(request, 99));
            System.out.printf(Locale.ROOT, "  delivery arrived at the receiver        p50 %7.2f ms  p99 %7.2f ms  ratio p50 %.2fx%n",
                    pct(delivered, 50), pct(delivered, 99), pct(delivered, 50) / pct(request, 50));
        } finally {
            receiver.stop(0);
            receiverThreads.shutdownNow();
        }
    }

    private static double pct(List<Double> xs, int p) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        return s.get(Math.min(s.size() - 1, (int) Math.ceil(p / 100.0 * s.size()) - 1));
    }
}
