package dev.mlv.lineage;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A training checkpoint stored with the run under {@code checkpoints/epoch-<n>/}.
 *
 * @param path     the checkpoint folder, relative to the run's artifact root ({@code checkpoints/epoch-3})
 * @param details  the parsed {@code checkpoint.json} (epoch, step, metrics, file digests); null when the folder has
 *                 none or it is not valid JSON
 */
public record Checkpoint(long epoch, String path, JsonNode details) {
}
