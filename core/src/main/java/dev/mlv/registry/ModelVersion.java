package dev.mlv.registry;

import dev.mlv.tracking.Tag;

import java.util.List;

/**
 * One version of a registered model. {@code version} is a decimal string counted per model from 1; {@code status}
 * is always {@code READY} (registration is synchronous); {@code source} is the validated string it was created with
 * (see {@link SourceValidator}); {@code aliases} are the aliases pointing at it; {@code storageLocation} is where its
 * files were resolved to at registration (null when unknown), so resolving it needs no further look-ups.
 */
public record ModelVersion(String name, String version, long creationTimestamp, long lastUpdatedTimestamp,
                           String userId, Stage currentStage, String description, String source, String runId,
                           String runLink, String status, List<Tag> tags, List<String> aliases, String storageLocation) {
    public static final String READY = "READY";

    public ModelVersion {
        tags = List.copyOf(tags);
        aliases = List.copyOf(aliases);
    }

    public long versionNumber() {
        return Long.parseLong(version);
    }
}
