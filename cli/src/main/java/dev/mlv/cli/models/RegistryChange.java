package dev.mlv.cli.models;

import dev.mlv.cli.ClientOptions;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.concurrent.Callable;

/**
 * A command that changes a registered model: the server ({@code --tracking-uri}, {@code --json}), the acting user
 * ({@code --user}) and the model's {@code NAME} as the first parameter. Subclasses add what follows it.
 */
abstract class RegistryChange implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Mixin
    UserOption user;

    @Parameters(index = "0", paramLabel = "NAME", description = "Registered model name.")
    String name;
}
