package dev.mlv.registry;

import dev.mlv.tracking.Tag;

import java.util.List;

/**
 * What a new model version is created from; {@code source} has passed {@link SourceValidator}. {@code files} are the
 * digests of its files; {@code storageLocation} is where they were resolved to at registration (e.g.
 * {@code mlflow-artifacts:/1/<run>/artifacts/model}), or null to resolve the source each time.
 */
public record NewModelVersion(String name, String source, String runId, List<Tag> tags, String runLink,
                              String description, List<ModelFile> files, String storageLocation) {
    public NewModelVersion {
        tags = tags == null ? List.of() : List.copyOf(tags);
        files = files == null ? List.of() : List.copyOf(files);
    }

    public NewModelVersion(String name, String source, String runId, List<Tag> tags, String runLink, String description,
                           List<ModelFile> files) {
        this(name, source, runId, tags, runLink, description, files, null);
    }
}
