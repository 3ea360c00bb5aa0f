package dev.mlv.cli;

import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.artifacts.ArtifactStores;
import dev.mlv.cli.models.UserOption;
import dev.mlv.gc.GarbageCollector;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;

/** {@code mlv gc}: MLflow's {@code mlflow gc}, keeping what registered model versions come from. */
@Command(name = "gc", mixinStandardHelpOptions = true,
        description = {"Remove deleted runs and experiments for good, with their artifacts (as 'mlflow gc').",
                "Without --run-ids or --experiment-ids, every run and experiment in the deleted stage (deleted at least "
                        + "--older-than ago). Runs and experiments that a registered model version comes from are kept, "
                        + "so lineage stays whole; naming one, or one that is not deleted, is an error and removes nothing."},
        footer = {"", "Examples:",
                "  mlv gc --dry-run                        # what would go",
                "  mlv gc --older-than 30d",
                "  mlv gc --run-ids 1f0e…,9a8b… --backend-store-uri postgresql://… --artifacts-destination s3://bucket/mlv"})
public final class GcCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    JsonOption json;

    @Option(names = "--backend-store-uri", paramLabel = "URI", description = "The server's metadata database "
            + "(env MLV_BACKEND_STORE_URI; default: sqlite:///<home>/mlv.db with home $MLV_HOME or ~/.mlv).")
    String backendStoreUri;

    @Option(names = "--artifacts-destination", paramLabel = "URI", description = "The server's artifact store "
            + "(env MLV_ARTIFACTS_DESTINATION; default: <home>/artifacts).")
    String artifactsDestination;

    @Option(names = "--older-than", paramLabel = "AGE", description = "Only what was deleted at least this long ago: "
            + "days, hours, minutes, seconds, e.g. 30d, 12h, 1d2h3m4s (default: everything deleted).")
    String olderThan;

    @Option(names = "--run-ids", paramLabel = "ID", split = ",", description = "Only these deleted runs (comma-separated).")
    List<String> runIds = new ArrayList<>();

    @Option(names = "--experiment-ids", paramLabel = "ID", split = ",", description = "Only these deleted experiments, "
            + "with all their runs (comma-separated).")
    List<String> experimentIds = new ArrayList<>();

    @Option(names = "--dry-run", description = "Show what would be removed; remove nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
        ServerConfig home = ServerConfig.forHome(ServerConfig.defaultHome());
        String db = Objects.requireNonNullElse(Env.orEnv(backendStoreUri, "MLV_BACKEND_STORE_URI"), home.effectiveBackendStoreUri());
        String dest = Objects.requireNonNullElse(Env.orEnv(artifactsDestination, "MLV_ARTIFACTS_DESTINATION"),
                home.effectiveArtifactsDestination());
        var request = new GarbageCollector.Request(GarbageCollector.parseAge(olderThan), runIds, experimentIds, dryRun);
        GarbageCollector.Result r;
        try (ArtifactStore artifacts = ArtifactStores.open(dest);
             MetadataStore metadata = MetadataStores.open(db, MlvServer.DEFAULT_ARTIFACT_ROOT)) {
            r = new GarbageCollector(metadata, artifacts, UserOption.defaultUser())
                    .collect(request, System.currentTimeMillis());
        }
        Output out = json.output();
        if (json.json()) {
            out.json(r);
            return 0;
        }
        String verb = r.dryRun() ? "Would remove" : "Removed";
        out.println(verb + " " + r.runs().size() + " run(s) and " + r.experiments().size() + " experiment(s) for good"
                + (r.dryRun() ? "" : ", with their artifacts") + ".");
        if (r.dryRun()) {
            if (!r.runs().isEmpty()) out.println("  runs: " + String.join(", ", r.runs()));
            if (!r.experiments().isEmpty()) out.println("  experiments: " + String.join(", ", r.experiments()));
        }
        for (GarbageCollector.Kept k : r.kept()) out.println("kept " + k.kind() + " " + k.id() + ": " + k.why());
        for (String uri : r.artifactsLeft()) out.println("left alone (not in " + dest + "): " + uri);
        return 0;
    }
}
