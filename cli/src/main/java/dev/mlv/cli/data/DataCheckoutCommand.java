package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.List;
import java.util.concurrent.Callable;

@Command(name = "checkout", description = "Make tracked data match the pointers, from the cache. "
        + "Refuses to overwrite or delete content that is not in the cache unless --force.")
final class DataCheckoutCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Option(names = "--force", description = "Discard uncommitted changes to tracked data.")
    boolean force;

    @Parameters(arity = "0..*", paramLabel = "TARGET", description = "Pointer files or data paths (default: all).")
    List<String> targets;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            report(repo, r.checkout(r.targets(repo.paths(targets)), force));
        }
        return 0;
    }

    static void report(RepoOptions repo, DataRepo.CheckoutResult c) {
        if (repo.json()) repo.output().json(c);
        else if (!repo.quiet) {
            repo.output().println("checked out: " + c.restored() + " file(s) written, " + c.removed() + " removed, "
                    + c.unchanged() + " unchanged");
        }
    }
}
