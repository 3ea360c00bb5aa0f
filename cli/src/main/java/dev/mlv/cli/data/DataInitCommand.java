package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "init", description = "Create .mlv/ (config, cache) in the current folder, normally the top of a git repository.")
final class DataInitCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Override
    public Integer call() {
        var root = DataRepo.init(repo.base());
        repo.output().println("Initialized mlv data in " + root.resolve(DataRepo.DIR)
                + " (commit .mlv/config and .mlv/.gitignore)");
        return 0;
    }
}
