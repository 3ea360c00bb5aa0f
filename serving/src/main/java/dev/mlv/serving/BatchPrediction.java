package dev.mlv.serving;

import dev.mlv.serving.registry.ModelRef;

import java.nio.file.Path;

/**
 * {@code mlv models predict}: scores one input with a model, without a server, as MLflow's
 * {@code mlflow models predict} does. The model is what {@code mlv models serve} would serve for the same URI (files
 * downloaded into the cache and checked against their digests), and the answer is what its {@code /invocations}
 * would answer for the same body: {@code {"predictions": …}}, with the same checks against the signature.
 */
public final class BatchPrediction {
    private BatchPrediction() {
    }

    /** The kind of input: a JSON body in one of MLflow's scoring formats, or CSV with a header row. */
    public enum Format { JSON, CSV }

    /**
     * Loads the model {@code modelUri} names (through {@code trackingUri}, null for the environment's, and
     * {@code cacheDir}), scores {@code input}, and returns the answer's bytes.
     */
    public static byte[] predict(String modelUri, String trackingUri, Path cacheDir, byte[] input, Format format) {
        ModelRef ref = ModelRef.parse(modelUri);
        LoadedModel model = ModelServing.load(ref, ModelServing.fetcher(ref, trackingUri, cacheDir), null, null);
        try {
            ScoringInput parsed = format == Format.CSV ? InputParser.parseCsv(input)
                    : InputParser.parseJson(input, model.mlModel().signature());
            return Scorer.answer(Scorer.predict(model, parsed));
        } finally {
            model.release();
        }
    }
}
