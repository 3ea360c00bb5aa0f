package dev.mlv.cli.serving;

import dev.mlv.cli.Main;
import dev.mlv.cli.Output;
import dev.mlv.client.http.RestClient;
import dev.mlv.serving.docker.DockerContext;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mlv models generate-dockerfile -m MODEL_URI -d DIR}. */
@Command(name = "generate-dockerfile", mixinStandardHelpOptions = true, description = {
        "Write a Docker build context that serves a model on port 8080.",
        "A Dockerfile (Temurin JRE base), the mlv jar with its lib/ folder, and the model files (digests checked)",
        "under model/.",
        "Examples:",
        "  mlv models generate-dockerfile -m models:/fraud/Production -d fraud-image",
        "  docker build -t fraud:prod fraud-image && docker run -p 8080:8080 fraud:prod"})
public final class GenerateDockerfileCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model-uri"}, required = true, paramLabel = "MODEL_URI",
            description = "models:/NAME/VERSION|STAGE|latest, models:/NAME@ALIAS, models:/MODEL_ID (an MLflow 3 logged model), "
                    + "runs:/RUN_ID/PATH, or a local model directory.")
    String modelUri;

    @Option(names = {"-d", "--output-directory"}, defaultValue = "mlflow-dockerfile", paramLabel = "DIR",
            description = "Folder for the build context (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--tracking-uri", paramLabel = "URI", description = "mlv server (default: $MLV_TRACKING_URI, then http://127.0.0.1:5000).")
    String trackingUri;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Model cache (default: ~/.mlv/models-cache).")
    Path cacheDir;

    @Option(names = "--mlv-jar", paramLabel = "JAR", description = "The runnable mlv jar to copy (default: the jar running this command).")
    Path jar;

    @Override
    public Integer call() {
        ModelRef ref = ModelRef.parse(modelUri);
        ModelFetcher fetcher = ref.kind() == ModelRef.Kind.LOCAL ? null
                : new ModelFetcher(new RestClient(trackingUri != null ? trackingUri : RestClient.trackingUriFromEnv()),
                cacheDir != null ? cacheDir : ModelFetcher.defaultCache());
        DockerContext.Result r = DockerContext.write(modelUri, fetcher, dir, jar != null ? jar : runningJar());
        Output out = new Output(spec.commandLine().getOut());
        out.println("Wrote a Docker build context for " + r.name() + " version " + r.version() + " to " + r.dir()
                + " (" + r.modelFiles().size() + " model files). Build it with: docker build -t IMAGE " + r.dir());
        return 0;
    }

    /** The jar this CLI runs from, or null when it runs from class folders. */
    static Path runningJar() {
        try {
            Path p = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(p)) return p;
            Path built = p.getParent() == null ? null : p.getParent().resolve("mlv.jar");
            return built != null && Files.isRegularFile(built) ? built : null;
        } catch (Exception e) {
            return null;
        }
    }
}
