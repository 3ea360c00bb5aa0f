package dev.mlv.cli.serving;

import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import dev.mlv.serving.LoadedModel;
import dev.mlv.serving.ModelServing;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code mlv models serve -m MODEL_URI}: MLflow's scoring server for an ONNX model, following stage and alias moves. */
@Command(name = "serve", mixinStandardHelpOptions = true, description = {
        "Serve a model over MLflow's scoring protocol, following stage and alias moves.",
        "GET /ping /health /version /metrics, POST /invocations (application/json: dataframe_split,",
        "dataframe_records, instances, inputs; text/csv).",
        "Files are downloaded into a cache and checked against the digests recorded at registration.",
        "For a stage, alias or 'latest' URI the server follows the registry: a promotion or rollback is served",
        "within about a second, without a restart. Answers name the version in X-Mlv-Model-Version.",
        "Examples:",
        "  mlv models serve -m models:/fraud/Production",
        "  mlv models serve -m models:/fraud@champion --port 8080",
        "  mlv models serve -m ./model-dir --name fraud --model-version 3"})
public final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model-uri"}, required = true, paramLabel = "MODEL_URI",
            description = "models:/NAME/VERSION|STAGE|latest, models:/NAME@ALIAS, models:/MODEL_ID (an MLflow 3 logged model), "
                    + "runs:/RUN_ID/PATH, or a local model directory.")
    String modelUri;

    @Option(names = "--host", defaultValue = "127.0.0.1", paramLabel = "HOST", description = "Address to bind (default: ${DEFAULT-VALUE}).")
    String host;

    @Option(names = {"-p", "--port"}, defaultValue = "5001", paramLabel = "PORT", converter = dev.mlv.cli.PortConverter.class, description = "Port, 0 for a free one (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--tracking-uri", paramLabel = "URI", description = "mlv server (default: $MLV_TRACKING_URI, then $MLFLOW_TRACKING_URI, then http://127.0.0.1:5000).")
    String trackingUri;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Model cache (default: $MLV_HOME/models-cache or ~/.mlv/models-cache).")
    Path cacheDir;

    @Option(names = "--poll-interval-ms", defaultValue = "250", paramLabel = "MS",
            description = "How often a stage/alias URI is re-resolved (default: ${DEFAULT-VALUE}).")
    long pollMs;

    @Option(names = "--max-body-bytes", defaultValue = "16777216", paramLabel = "BYTES",
            description = "Largest accepted request body; larger ones get 413 (default: ${DEFAULT-VALUE}).")
    long maxBody;

    @Option(names = "--name", paramLabel = "NAME", description = "Model name reported for a local directory (default: the folder name).")
    String name;

    @Option(names = "--model-version", paramLabel = "VERSION", description = "Model version reported for a local directory (default: local).")
    String version;

    @Override
    public Integer call() throws InterruptedException {
        ModelServing.Config c = ModelServing.Config.of(modelUri, host, port,
                        trackingUri != null ? trackingUri : RestClient.trackingUriFromEnv())
                .withCacheDir(cacheDir != null ? cacheDir : ModelFetcher.defaultCache())
                .withPollInterval(Duration.ofMillis(Math.max(10, pollMs)))
                .withMaxBodyBytes(maxBody)
                .withLocalName(name, version);
        ModelServing serving = ModelServing.start(c);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                serving.close();
            } finally {
                stopped.countDown();
            }
        }, "mlv-serve-shutdown"));
        LoadedModel m = serving.server().current();
        String shown = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        new Output(spec.commandLine().getOut()).println("Serving " + m.name() + " version " + m.version() + " (" + modelUri
                + ") on http://" + shown + ":" + serving.port() + "/invocations"
                + (ModelRef.parse(modelUri).moves() ? "; following the registry" : ""));
        stopped.await();
        return 0;
    }
}
