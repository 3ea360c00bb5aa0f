package dev.mlv.cli.models;

import dev.mlv.cli.ClientOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv models metadata MODEL_URI}: one JSON record describing the version and what made it. */
@Command(name = "metadata", mixinStandardHelpOptions = true, description = {
        "Print a version's metadata as JSON (run, metrics, params, datasets, code commit, environment).",
        "All of it: name, version, stage, aliases, run, metrics, params, datasets with digests, code commit,",
        "environment, creation time and who registered it (always JSON).",
        "Examples:",
        "  mlv models metadata models:/fraud/Production",
        "  mlv models metadata models:/fraud@champion"})
final class MetadataCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "MODEL_URI", description = "models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS or models:/NAME/latest.")
    String uri;

    @Override
    public Integer call() {
        client.output().json(client.rest().get(RegistryPaths.METADATA, Map.of("uri", uri)));
        return 0;
    }
}
