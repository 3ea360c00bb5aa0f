package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.concurrent.Callable;

@Command(name = "fsck", description = "Re-hash every cached object; move corrupt ones to .mlv/quarantine/ (a cache_dir's "
        + "quarantine/) and remove temp files left by interrupted commands (in a cache_dir, those over an hour old). "
        + "Exit 1 if anything was corrupt.")
final class DataFsckCommand implements Callable<Integer> {
    @Mixin
    RepoOptions repo;

    @Override
    public Integer call() {
        try (DataRepo r = repo.open()) {
            DataRepo.FsckResult f = r.fsck();
            if (repo.json()) repo.output().json(f);
            else {
                repo.output().println("checked " + f.checked() + " object(s): " + f.corrupt().size() + " corrupt"
                        + (f.leftoversRemoved() > 0 ? ", " + f.leftoversRemoved() + " leftover temp file(s) removed" : ""));
                for (String c : f.corrupt()) repo.output().println("corrupt: " + c);
            }
            if (!f.corrupt().isEmpty()) {
                throw new MlvException(ErrorCode.INVALID_STATE, f.corrupt().size() + " corrupt object(s) moved to "
                        + f.quarantine() + "; run 'mlv data fetch' to get them again from a remote");
            }
        }
        return 0;
    }
}
