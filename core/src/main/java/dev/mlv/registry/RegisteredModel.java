package dev.mlv.registry;

import dev.mlv.tracking.Tag;

import java.util.List;
import java.util.Map;

/**
 * A registered model. {@code aliases} maps alias → version; {@code latestVersions} holds, per stage, the highest
 * version in it (MLflow's {@code latest_versions}). Times are milliseconds since the epoch.
 */
public record RegisteredModel(String name, long creationTimestamp, long lastUpdatedTimestamp, String userId,
                              String description, List<Tag> tags, Map<String, String> aliases,
                              List<ModelVersion> latestVersions) {
    public RegisteredModel {
        tags = List.copyOf(tags);
        aliases = Map.copyOf(aliases);
        latestVersions = List.copyOf(latestVersions);
    }

    /** The value of a tag, or null. */
    public String tag(String key) {
        for (Tag t : tags) if (t.key().equals(key)) return t.value();
        return null;
    }
}
