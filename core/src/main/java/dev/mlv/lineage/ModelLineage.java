package dev.mlv.lineage;

import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelVersion;

import java.util.List;

/**
 * The lineage of one model version: the version with the files (and digests) recorded at registration, the run that
 * produced it (null when it has none or the run is gone) and notes on what could not be found.
 */
public record ModelLineage(ModelVersion version, List<ModelFile> files, RunLineage run, List<String> notes) {
    public ModelLineage {
        files = files == null ? List.of() : List.copyOf(files);
        notes = notes == null ? List.of() : List.copyOf(notes);
    }
}
