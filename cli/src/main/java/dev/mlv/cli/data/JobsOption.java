package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.data.Remotes;
import picocli.CommandLine.Option;

/** {@code -j/--jobs N} (as DVC's): how many objects a command uploads or downloads at once. */
final class JobsOption {
    @Option(names = {"-j", "--jobs"}, paramLabel = "N", description = "Objects to transfer at once, 1 to 128 (default: the "
            + "remote's jobs option, else 16 for S3, 8 for an mlv server or a URL's files, one per core and at least 2 for a local path).")
    Integer jobs;

    /** The number given, checked; 0 when none was. */
    int value() {
        return jobs == null ? 0 : Remotes.requireJobs(jobs);
    }

    /** The repository of {@code repo}, with the option applied (checked before the repository is locked). */
    DataRepo open(RepoOptions repo) {
        int n = value();
        DataRepo r = repo.open();
        return n != 0 ? r.jobs(n) : r;
    }
}
