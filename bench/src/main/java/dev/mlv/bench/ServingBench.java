package dev.mlv.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtSession;
import dev.mlv.client.ActiveRun;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.client.model.LoggedModel;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.serving.InputParser;
import dev.mlv.serving.LoadedModel;
import dev.mlv.serving.ModelServing;
import dev.mlv.serving.OrtRuntime;
import dev.mlv.serving.ScoringServer;
import dev.mlv.serving.Scorer;
import dev.mlv.serving.tribuo.TribuoModels;
import org.tribuo.Example;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.datasource.ListDataSource;
import org.tribuo.impl.ArrayExample;
import org.tribuo.math.optimisers.AdaGrad;
import org.tribuo.provenance.SimpleDataSourceProvenance;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Scoring-server benchmark: single-row {@code POST /invocations} against the same server's {@code GET /ping} with
 * {@code wrk} at a fixed concurrency; in-process ONNX Runtime call time against the HTTP round trip for the same row;
 * swap latency from an alias move to the first answer by the new version under load. Options:
 * {@code -Dbench.seconds=10 -Dbench.connections=16 -Dbench.threads=2 -Dbench.swaps=6 -Dbench.pollMs=250}.
 */
public final class ServingBench {
    static final String[] FEATURES = {"f0", "f1", "f2", "f3"};
    static final String BODY = "{\"dataframe_split\": {\"columns\": [\"f0\",\"f1\",\"f2\",\"f3\"], \"data\": [[5.1, 3.5, 1.4, 0.2]]}}";

    public static void main(String[] args) throws Exception {
        int seconds = Integer.getInteger("bench.seconds", 10);
        int connections = Integer.getInteger("bench.connections", 16);
        int threads = Integer.getInteger("bench.threads", 2);
        int swaps = Integer.getInteger("bench.swaps", 6);
        long pollMs = Long.getLong("bench.pollMs", 250);
        Path dir = Path.of(System.getProperty("bench.dir", "bench/target-bench")).resolve("serving-" + System.currentTimeMillis());
        Files.createDirectories(dir);

        try (MlvServer server = MlvServer.start(new ServerConfig("127.0.0.1", 0, dir.resolve("home"), null, null))) {
            MlvClient client = MlvClient.connect(server.url());
            RestClient rest = client.rest();
            rest.post("/api/2.0/mlflow/registered-models/create", Map.of("name", "bench"));
            for (long seed : new long[]{1, 2}) {
                LoggedModel lm;
                try (ActiveRun run = client.startRun("serving-bench")) {
                    lm = TribuoModels.log(run, "model", train(seed));
                }
                rest.post("/api/2.0/mlflow/model-versions/create", Map.of("name", "bench", "source", lm.modelUri(), "run_id", lm.runId()));
            }
            alias(rest, "1");
            try (ModelServing serving = ModelServing.start(ModelServing.Config.of("models:/bench@champion", "127.0.0.1", 0, server.url())
                    .withCacheDir(dir.resolve("cache")).withPollInterval(Duration.ofMillis(pollMs)))) {
                String base = "http://127.0.0.1:" + serving.port();
                System.out.printf("Scoring server %s serving bench@champion (poll %d ms); %d cores%n", base, pollMs,
                        Runtime.getRuntime().availableProcessors());

                inProcessVsHttp(serving, base);

                Path lua = dir.resolve("invocations.lua");
                Files.writeString(lua, "wrk.method = \"POST\"\nwrk.body = '" + BODY + "'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n");
                wrk(base + "/ping", null, 3, threads, connections); // warm-up
                wrk(base + "/invocations", lua, 3, threads, connections);
                // interleaved rounds, so load from elsewhere on the machine hits both endpoints alike
                int rounds = Integer.getInteger("bench.rounds", 3);
                List<Wrk> pings = new ArrayList<>();
                List<Wrk> invs = new ArrayList<>();
                List<Double> ratios = new ArrayList<>();
                System.out.printf("%nwrk -t%d -c%d -d%ds --latency, %d interleaved rounds (same server, same run)%n", threads, connections, seconds, rounds);
                for (int i = 0; i < rounds; i++) {
                    Wrk ping = wrk(base + "/ping", null, seconds, threads, connections);
                    Wrk inv = wrk(base + "/invocations", lua, seconds, threads, connections);
                    pings.add(ping);
                    invs.add(inv);
                    ratios.add(inv.rps / ping.rps);
                    System.out.printf("  round %d: GET /ping %8.0f req/s (p50 %6.2f ms, p99 %7.2f ms, non-2xx %d) | POST /invocations %8.0f req/s "
                                    + "(p50 %6.2f ms, p99 %7.2f ms, non-2xx %d) | ratio %.2f%n", i + 1, ping.rps, ping.p50, ping.p99, ping.errors,
                            inv.rps, inv.p50, inv.p99, inv.errors, inv.rps / ping.rps);
                    System.out.printf("           CPU per request: /ping server %.1f us + wrk %.1f us | /invocations server %.1f us + wrk %.1f us%n",
                            ping.serverCpuUs, ping.wrkCpuUs, inv.serverCpuUs, inv.wrkCpuUs);
                }
                if (Boolean.getBoolean("bench.diagnose")) {
                    Path bad = dir.resolve("unsupported.lua");
                    Files.writeString(bad, "wrk.method = \"POST\"\nwrk.body = '" + BODY + "'\nwrk.headers[\"Content-Type\"] = \"text/plain\"\n");
                    Wrk w = wrk(base + "/invocations", bad, seconds, threads, connections);
                    System.out.printf("  diagnostic: POST /invocations answered 415 before reading the body: %.0f req/s%n", w.rps);
                }
                double pingRps = pings.stream().mapToDouble(Wrk::rps).sum() / rounds;
                double invRps = invs.stream().mapToDouble(Wrk::rps).sum() / rounds;
                List<Double> sorted = ratios.stream().sorted().toList();
                System.out.printf("  mean: /ping %.0f req/s, /invocations %.0f req/s; ratio of means %.2f, median round ratio %.2f (goal >= 0.70)%n",
                        pingRps, invRps, invRps / pingRps, sorted.get(sorted.size() / 2));

                swapLatency(rest, base, swaps);
            }
        }
    }

    static Model<Label> train(long seed) {
        LabelFactory lf = new LabelFactory();
        Random r = new Random(seed);
        List<Example<Label>> ex = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            int c = i % 3;
            double[] v = new double[4];
            for (int j = 0; j < 4; j++) v[j] = c * (j + 1) + r.nextGaussian();
            ex.add(new ArrayExample<>(new Label("c" + c), FEATURES, v));
        }
        var ds = new MutableDataset<>(new ListDataSource<>(ex, lf, new SimpleDataSourceProvenance("bench", lf)));
        return new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(0.5, 0.1), 5, seed).train(ds);
    }

    static void alias(RestClient rest, String version) {
        rest.post("/api/2.0/mlflow/registered-models/alias", Map.of("name", "bench", "alias", "champion", "version", version));
    }

    /** Rounds of in-process calls before the measured one: C2 compiles a method after about 10,000 calls. */
    static final int WARM_UP_ROUNDS = 6;

    static void inProcessVsHttp(ModelServing serving, String base) throws Exception {
        int n = 5000;
        LoadedModel m = serving.server().current();
        var env = OrtRuntime.env();
        float[][] row = {{5.1f, 3.5f, 1.4f, 0.2f}};
        long[] ort = new long[n];
        long[] scorer = new long[n];
        long[] http = new long[n];
        byte[] body = BODY.getBytes(StandardCharsets.UTF_8);
        for (int round = 0; round < WARM_UP_ROUNDS + 1; round++) { // the last round counts: the JIT has compiled both paths by then
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                try (OnnxTensor t = OnnxTensor.createTensor(env, row);
                     OrtSession.Result r = m.session().run(Map.of(m.inputs().get(0).name(), t))) {
                    r.get(0).getValue();
                }
                ort[i] = System.nanoTime() - t0;
                t0 = System.nanoTime();
                Scorer.predict(m, InputParser.parseJson(body, m.mlModel().signature()));
                scorer[i] = System.nanoTime() - t0;
            }
        }
        HttpClient hc = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/invocations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                HttpResponse<String> r = hc.send(req, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) throw new IllegalStateException(r.body());
                http[i] = System.nanoTime() - t0;
            }
        }
        System.out.printf("%nSingle row, sequential, %d calls each (in process after %d warm-up calls, over HTTP after %d)%n", n,
                WARM_UP_ROUNDS * n, n);
        System.out.printf("  ORT session.run (in-process)          p50 %7.1f us  p99 %7.1f us%n", pct(ort, 50), pct(ort, 99));
        System.out.printf("  parse+check+ORT+format (in-process)   p50 %7.1f us  p99 %7.1f us%n", pct(scorer, 50), pct(scorer, 99));
        System.out.printf("  HTTP round trip /invocations          p50 %7.1f us  p99 %7.1f us  (%.1fx ORT p50)%n",
                pct(http, 50), pct(http, 99), pct(http, 50) / pct(ort, 50));
    }

    static double pct(long[] ns, double p) {
        long[] s = ns.clone();
        Arrays.sort(s);
        return s[(int) Math.min(s.length - 1, Math.ceil(p / 100.0 * s.length) - 1)] / 1000.0;
    }

    /** One wrk run: throughput, latency, failures, and the CPU time per request of this JVM (the server) and of wrk. */
    record Wrk(double rps, double p50, double p99, long errors, double serverCpuUs, double wrkCpuUs) {
    }

    static Wrk wrk(String url, Path lua, int seconds, int threads, int connections) throws Exception {
        // bash's `times` prints the CPU time of wrk (its child) after it exits
        List<String> cmd = new ArrayList<>(List.of("bash", "-c", "wrk \"$@\" && times", "wrk",
                "-t" + threads, "-c" + connections, "-d" + seconds + "s", "--latency"));
        if (lua != null) cmd.addAll(List.of("-s", lua.toString()));
        cmd.add(url);
        long cpu0 = processCpuNanos();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String l; (l = r.readLine()) != null; ) out.append(l).append('\n');
        }
        if (p.waitFor() != 0) throw new IllegalStateException("wrk failed: " + out);
        long serverCpu = processCpuNanos() - cpu0;
        String s = out.toString();
        double rps = Double.parseDouble(group(s, "Requests/sec:\\s+([\\d.]+)", "0"));
        long errors = Long.parseLong(group(s, "Non-2xx or 3xx responses:\\s+(\\d+)", "0"));
        String sock = group(s, "Socket errors:(.*)", "");
        if (!sock.isBlank()) System.out.println("  wrk socket errors on " + url + ":" + sock);
        long requests = Long.parseLong(group(s, "(\\d+) requests in", "0"));
        Matcher t = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*$").matcher(s.strip());
        double wrkCpuSeconds = t.find() ? Integer.parseInt(t.group(1)) * 60 + Double.parseDouble(t.group(2))
                + Integer.parseInt(t.group(3)) * 60 + Double.parseDouble(t.group(4)) : Double.NaN;
        return new Wrk(rps, latency(s, "50%"), latency(s, "99%"), errors, serverCpu / 1e3 / Math.max(1, requests),
                wrkCpuSeconds * 1e6 / Math.max(1, requests));
    }

    /** CPU time used so far by this JVM, all threads. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static double latency(String s, String pct) {
        Matcher m = Pattern.compile(Pattern.quote(pct) + "\\s+([\\d.]+)(us|ms|s)").matcher(s);
        if (!m.find()) return Double.NaN;
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }

    static String group(String s, String regex, String def) {
        Matcher m = Pattern.compile(regex).matcher(s);
        return m.find() ? m.group(1) : def;
    }

    /** Alias moves under load (4 client threads): time from the move to the first answer by the new version. */
    static void swapLatency(RestClient rest, String base, int swaps) throws Exception {
        HttpClient hc = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/invocations")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).build();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicInteger errors = new AtomicInteger();
        List<String> causes = java.util.Collections.synchronizedList(new ArrayList<>()); // the first few failures, to print
        AtomicReference<String> want = new AtomicReference<>("none");
        // the first answer by the version wanted: when its request was sent, and when it came back
        AtomicReference<long[]> first = new AtomicReference<>();
        AtomicLong swapStart = new AtomicLong(Long.MAX_VALUE);
        List<Thread> load = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            Thread th = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        long sent = System.nanoTime();
                        HttpResponse<String> r = hc.send(req, HttpResponse.BodyHandlers.ofString());
                        long now = System.nanoTime();
                        if (r.statusCode() != 200) {
                            if (errors.incrementAndGet() <= 3) causes.add("HTTP " + r.statusCode() + ": " + r.body());
                        } else {
                            ok.incrementAndGet();
                            if (sent >= swapStart.get() && want.get().equals(r.headers().firstValue(ScoringServer.VERSION_HEADER).orElse(""))) {
                                first.compareAndSet(null, new long[]{sent, now});
                            }
                        }
                    } catch (Exception e) {
                        if (errors.incrementAndGet() <= 3) causes.add(e.toString());
                    }
                }
            });
            th.start();
            load.add(th);
        }
        List<Double> ms = new ArrayList<>();
        String current = "1";
        Thread.sleep(500);
        for (int i = 0; i < swaps; i++) {
            String next = current.equals("1") ? "2" : "1";
            first.set(null);
            want.set(next);
            long t0 = System.nanoTime();
            swapStart.set(t0);
            alias(rest, next);
            long[] f;
            // a client thread that read the previous version wanted just before it changed can still record an answer
            // sent before t0: such an answer does not count
            while ((f = first.get()) == null || f[0] < t0) {
                if (f != null) first.compareAndSet(f, null);
                if (System.nanoTime() - t0 > 30_000_000_000L) throw new IllegalStateException("no answer from version " + next);
                Thread.sleep(1);
            }
            ms.add((f[1] - t0) / 1e6);
            current = next;
            Thread.sleep(300);
        }
        stop.set(true);
        for (Thread t : load) t.join();
        double[] a = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        System.out.printf("%nSwap latency under load (4 clients, %d alias moves 1<->2): min %.0f ms, median %.0f ms, max %.0f ms "
                        + "(goal <= 1000 ms); %d requests answered, %d failed%n",
                swaps, a[0], a[a.length / 2], a[a.length - 1], ok.get(), errors.get());
        for (String c : causes) System.out.println("  failed: " + c);
    }
}
