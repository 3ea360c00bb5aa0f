package dev.mlv.cli.quickstart;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.cli.Main;
import dev.mlv.cli.Output;
import dev.mlv.client.ActiveRun;
import dev.mlv.client.DatasetRef;
import dev.mlv.client.MlvClient;
import dev.mlv.client.model.LoggedModel;
import dev.mlv.errors.MlvException;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.serving.ModelServing;
import dev.mlv.serving.ScoringServer;
import dev.mlv.serving.tribuo.TribuoModels;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.classification.sgd.linear.LinearSGDTrainer;
import org.tribuo.classification.sgd.objectives.LogMulticlass;
import org.tribuo.data.csv.CSVLoader;
import org.tribuo.evaluation.TrainTestSplitter;
import org.tribuo.math.optimisers.AdaGrad;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/**
 * {@code mlv quickstart}: the whole lifecycle on an embedded server in a fresh folder — version a dataset, train and
 * track two models, register them, promote through a metric gate, serve, promote the other, roll back, and show the
 * history and metadata. Every step says what it does.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, description = {
        "Walk through the whole lifecycle on an embedded server in a fresh folder.",
        "Steps: version the bundled Iris CSV; train two Tribuo classifiers while tracking params, metrics and the dataset; "
                + "register both; promote the better one to Production through a metric gate; serve it and score rows; "
                + "promote the other; roll back; print the model history and metadata."})
public final class QuickstartCommand implements Callable<Integer> {
    static final String MODEL = "iris-classifier";
    static final String EXPERIMENT = "iris-quickstart";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--home", paramLabel = "DIR", description = "An empty or new folder for everything (default: a new temporary folder).")
    Path home;

    private Output out;
    private int step;

    /**
     * The walk-through is this command's output: the embedded servers' access logs and Tribuo's training chatter would
     * bury it. Warnings and errors still show. (A strong reference: java.util.logging forgets the level of a logger
     * nobody holds.)
     */
    private static void quietLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback) logback.getLogger("dev.mlv").setLevel(Level.WARN);
        TRIBUO_LOG.setLevel(java.util.logging.Level.WARNING);
    }

    private static final java.util.logging.Logger TRIBUO_LOG = java.util.logging.Logger.getLogger("org.tribuo");

    @Override
    public Integer call() throws Exception {
        out = new Output(spec.commandLine().getOut());
        Path h = prepareHome();
        Path project = Files.createDirectories(h.resolve("project"));
        Path csv = project.resolve("iris.csv");
        try (InputStream in = QuickstartCommand.class.getResourceAsStream("/dev/mlv/cli/quickstart/iris.csv")) {
            Files.copy(in, csv);
        }
        quietLogs();
        step("Start an embedded mlv server with its home in " + h);
        try (MlvServer server = MlvServer.start(new ServerConfig("127.0.0.1", 0, h.resolve("server"), null, null))) {
            String url = server.url();
            say("listening on " + url + " (SQLite + local artifacts); clients would use MLV_TRACKING_URI=" + url);
            say("(its log shows warnings only here; 'mlv server' prints one access-log line per request)");

            step("Version the dataset: mlv data init && mlv data add iris.csv (150 rows, public domain)");
            DatasetRef dataset = versionData(project, csv);

            step("Train two Tribuo logistic-regression classifiers with different parameters, tracking each run");
            MlvClient client = MlvClient.connect(url);
            List<Trained> trained = List.of(train(client, csv, dataset, 1, 0.01), train(client, csv, dataset, 30, 0.5));

            step("Register both runs' models as versions of '" + MODEL + "'");
            List<String> versions = new ArrayList<>();
            for (Trained t : trained) {
                String version = client.registerModel(MODEL, t.model().modelUri()).version();
                versions.add(version);
                say("version " + version + " ← " + t.model().modelUri() + " (accuracy " + fmt(t.accuracy()) + ")");
            }
            int best = trained.get(0).accuracy() >= trained.get(1).accuracy() ? 0 : 1;
            String better = versions.get(best);
            String other = versions.get(1 - best);

            step("Promote version " + better + " to Production through a metric gate (accuracy >= 0.8)");
            cli("models", "promote", MODEL, better, "--to", "Production", "--require", "metrics.accuracy >= 0.8",
                    "--reason", "quickstart: best accuracy", "--tracking-uri", url);

            step("Serve models:/" + MODEL + "/Production and score three rows");
            try (ModelServing serving = ModelServing.start(ModelServing.Config.of("models:/" + MODEL + "/Production",
                    "127.0.0.1", 0, url).withCacheDir(h.resolve("models-cache")).withPollInterval(Duration.ofMillis(200)))) {
                List<String> labels = new ArrayList<>();
                serving.server().current().mlModel().raw().path("metadata").path("output_labels").forEach(n -> labels.add(n.asText()));
                say("scoring server on http://127.0.0.1:" + serving.port() + "/invocations (MLflow's protocol)");
                score(serving.port(), labels);

                step("Promote the other version (" + other + ") to Production: the server follows without a restart");
                cli("models", "promote", MODEL, other, "--to", "Production", "--archive-existing",
                        "--reason", "quickstart: try the other model", "--tracking-uri", url);
                awaitVersion(serving.port(), other);

                step("Roll Production back: mlv models rollback " + MODEL + " --stage Production");
                cli("models", "rollback", MODEL, "--stage", "Production", "--reason", "quickstart: roll back", "--tracking-uri", url);
                awaitVersion(serving.port(), better);
            }

            step("The model's history: every stage move, who, when and why");
            cli("models", "history", MODEL, "--tracking-uri", url);

            step("Metadata of what Production serves: run, params, metrics, dataset digest, code, environment");
            cli("models", "metadata", "models:/" + MODEL + "/Production", "--tracking-uri", url);
        }
        out.println("");
        out.println("Done. Everything is in " + h + " — start a server on it with: mlv server --home " + h.resolve("server"));
        return 0;
    }

    record Trained(LoggedModel model, double accuracy) {
    }

    private Path prepareHome() throws Exception {
        if (home == null) return Files.createTempDirectory("mlv-quickstart-").toAbsolutePath();
        Path h = home.toAbsolutePath().normalize();
        if (Files.isDirectory(h)) {
            try (Stream<Path> s = Files.list(h)) {
                if (s.findAny().isPresent()) throw MlvException.invalid("--home " + h + " is not empty; the quickstart needs a fresh folder");
            }
        }
        return Files.createDirectories(h);
    }

    private DatasetRef versionData(Path project, Path csv) {
        try {
            cli("data", "init", "-C", project.toString(), "-q");
            cli("data", "add", "-C", project.toString(), "-q", "iris.csv");
            Path pointer = project.resolve("iris.csv.mlv");
            if (Files.isRegularFile(pointer)) {
                say("iris.csv.mlv (meant for git):");
                for (String line : Files.readAllLines(pointer)) say("    " + line);
                return DatasetRef.fromPointer(pointer).withContext("training");
            }
            say("(no pointer file written; tracking the CSV by its path only)");
        } catch (Exception | LinkageError e) {
            say("(skipped: dataset versioning is not available here: " + e.getMessage() + ")");
        }
        return null;
    }

    private Trained train(MlvClient client, Path csv, DatasetRef dataset, int epochs, double lr) throws Exception {
        var source = new CSVLoader<>(new LabelFactory()).loadDataSource(csv, "species");
        var split = new TrainTestSplitter<>(source, 0.7, 42L);
        var train = new MutableDataset<>(split.getTrain());
        var test = new MutableDataset<>(split.getTest());
        var trainer = new LinearSGDTrainer(new LogMulticlass(), new AdaGrad(lr, 0.1), epochs, 1L);
        try (ActiveRun run = client.startRun(EXPERIMENT, "logreg-epochs" + epochs + "-lr" + lr)) {
            run.logParam("trainer", "LinearSGDTrainer(LogMulticlass, AdaGrad)");
            run.logParam("epochs", epochs);
            run.logParam("learning_rate", lr);
            run.logParam("train_rows", train.size());
            if (dataset != null) run.logInput(dataset);
            Model<Label> model = trainer.train(train);
            double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
            run.logMetric("accuracy", accuracy);
            LoggedModel logged = TribuoModels.log(run, "model", model);
            say("run " + run.runId() + ": epochs=" + epochs + " learning_rate=" + lr + " → accuracy " + fmt(accuracy)
                    + " on " + test.size() + " held-out rows; model logged to " + logged.modelUri());
            return new Trained(logged, accuracy);
        }
    }

    private void score(int port, List<String> labels) throws Exception {
        String body = "{\"dataframe_split\": {\"columns\": [\"petal_length\",\"petal_width\",\"sepal_length\",\"sepal_width\"],"
                + " \"data\": [[1.4, 0.2, 5.1, 3.5], [4.7, 1.4, 7.0, 3.2], [6.0, 2.5, 6.3, 3.3]]}}";
        say("POST /invocations " + body);
        HttpResponse<String> r = post(port, body);
        say("→ " + r.statusCode() + " " + ScoringServer.VERSION_HEADER + ": " + r.headers().firstValue(ScoringServer.VERSION_HEADER).orElse("?"));
        JsonNode p = JSON.readTree(r.body()).path("predictions");
        int k = Math.max(1, labels.size());
        String[] expected = {"setosa", "versicolor", "virginica"};
        for (int row = 0; row * k < p.size(); row++) {
            int arg = 0;
            for (int j = 1; j < k; j++) if (p.get(row * k + j).path("output").asDouble() > p.get(row * k + arg).path("output").asDouble()) arg = j;
            say("row " + row + " (a " + expected[Math.min(row, 2)] + "): predicted " + (labels.isEmpty() ? "class " + arg : labels.get(arg))
                    + " with probability " + fmt(p.get(row * k + arg).path("output").asDouble()));
        }
    }

    private void awaitVersion(int port, String version) throws Exception {
        long start = System.nanoTime();
        String body = "{\"inputs\": [[1.4, 0.2, 5.1, 3.5]]}";
        while (true) {
            HttpResponse<String> r = post(port, body);
            String v = r.headers().firstValue(ScoringServer.VERSION_HEADER).orElse("?");
            if (r.statusCode() == 200 && v.equals(version)) {
                say("the scoring server answers with version " + version + " after " + (System.nanoTime() - start) / 1_000_000 + " ms");
                return;
            }
            if (System.nanoTime() - start > Duration.ofSeconds(30).toNanos()) {
                throw new MlvException(dev.mlv.errors.ErrorCode.INTERNAL_ERROR, "The scoring server did not switch to version " + version);
            }
            Thread.sleep(20);
        }
    }

    private static HttpResponse<String> post(int port, String body) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/invocations"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private void cli(String... args) {
        out.println("  $ " + shown(args));
        int code = Main.commandLine().setOut(spec.commandLine().getOut()).setErr(spec.commandLine().getErr()).execute(args);
        if (code != 0) say("(exit code " + code + ")");
    }

    /** The command as a user would type it (shell-quoted), without the options only the quickstart needs. */
    static String shown(String... args) {
        StringBuilder line = new StringBuilder("mlv");
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--tracking-uri") || args[i].equals("-C")) i++;
            else if (!args[i].equals("-q")) line.append(' ').append(args[i].matches("[\\w./:@=,+-]+") ? args[i] : "'" + args[i].replace("'", "'\\''") + "'");
        }
        return line.toString();
    }

    private void step(String title) {
        out.println("");
        out.println("[" + (++step) + "] " + title);
    }

    private void say(String line) {
        out.println("    " + line);
    }

    private static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.3f", d);
    }
}
