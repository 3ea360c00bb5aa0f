package dev.mlv.cli.serving;

import dev.mlv.cli.Output;
import dev.mlv.data.AtomicFiles;
import dev.mlv.errors.MlvException;
import dev.mlv.serving.LocalModel;
import dev.mlv.serving.registry.ModelFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code mlv models predict -m MODEL_URI -i INPUT}: MLflow's {@code mlflow models predict}, without a server. */
@Command(name = "predict", mixinStandardHelpOptions = true, description = {
        "Score a file with a model, without a server.",
        "The answer is what 'mlv models serve' gives for the same body, {\"predictions\": ...}, with the same checks",
        "against the model's signature.",
        "Examples:",
        "  mlv models predict -m models:/fraud/Production -i batch.json -o predictions.json",
        "  mlv models predict -m models:/fraud@champion -t csv < holdout.csv"})
public final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = {"-m", "--model-uri"}, required = true, paramLabel = "MODEL_URI",
            description = "models:/NAME/VERSION|STAGE|latest, models:/NAME@ALIAS, models:/MODEL_ID, runs:/RUN_ID/PATH, "
                    + "or a local model directory.")
    String modelUri;

    @Option(names = {"-i", "--input-path"}, paramLabel = "FILE", description = "The input (default: standard input).")
    Path input;

    @Option(names = {"-o", "--output-path"}, paramLabel = "FILE",
            description = "Where to write the predictions (default: standard output); written atomically.")
    Path output;

    @Option(names = {"-t", "--content-type"}, defaultValue = "json", paramLabel = "json|csv",
            description = "json (dataframe_split, dataframe_records, instances or inputs) or csv with a header row "
                    + "(default: ${DEFAULT-VALUE}).")
    String contentType;

    @Option(names = "--tracking-uri", paramLabel = "URI", description = "mlv server (default: $MLV_TRACKING_URI, then $MLFLOW_TRACKING_URI, then http://127.0.0.1:5000).")
    String trackingUri;

    @Option(names = "--cache-dir", paramLabel = "DIR", description = "Model cache (default: $MLV_HOME/models-cache or ~/.mlv/models-cache).")
    Path cacheDir;

    @Override
    public Integer call() {
        boolean csv = switch (contentType.toLowerCase(Locale.ROOT)) {
            case "json" -> false;
            case "csv" -> true;
            default -> throw MlvException.invalid("Unknown content type '" + contentType + "': json or csv");
        };
        byte[] body = read();
        byte[] answer;
        try (LocalModel model = LocalModel.load(modelUri, trackingUri, cacheDir != null ? cacheDir : ModelFetcher.defaultCache())) {
            answer = LocalModel.answer(csv ? model.predictCsv(body) : model.predictJson(body));
        }
        if (output != null) {
            AtomicFiles.write(output, answer);
        } else {
            new Output(spec.commandLine().getOut()).println(new String(answer, StandardCharsets.UTF_8));
        }
        return 0;
    }

    private byte[] read() {
        try {
            if (input == null) return System.in.readAllBytes();
            if (!Files.isRegularFile(input)) throw MlvException.notFound("No input file " + input);
            return Files.readAllBytes(input);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the input: " + e.getMessage(), e);
        }
    }
}
