package dev.mlv.cli.data;

import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** What 'get', 'list' and 'import' read from: {@code REPO} (the first parameter), {@code --rev}, {@code -r}. */
final class SourceOptions {
    @Parameters(index = "0", paramLabel = "REPO", description = "Git repository: a local path or any URL 'git clone' understands.")
    String repo;

    @Option(names = "--rev", paramLabel = "REV", description = "Commit, tag or branch of REPO (default: its HEAD).")
    String rev;

    @Option(names = {"-r", "--remote"}, paramLabel = "REMOTE", description = "Remote named in REPO's .mlv/config "
            + "(default: its default remote).")
    String remote;
}
