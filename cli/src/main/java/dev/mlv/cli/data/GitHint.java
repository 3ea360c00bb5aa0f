package dev.mlv.cli.data;

import dev.mlv.data.DataRepo;
import dev.mlv.errors.MlvException;

import java.util.List;

/** What commands that change pointer or {@code .gitignore} files say about git, or do with it (autostage). */
final class GitHint {
    private GitHint() {
    }

    /** {@link #after(RepoOptions, DataRepo, boolean, String)} with the hint for written pointers. */
    static void after(RepoOptions repo, DataRepo r, boolean changed) {
        after(repo, r, changed, "To track the changes with git: git add <pointer>.mlv .gitignore");
    }

    /**
     * After a command that changed pointer or .gitignore files: with {@code autostage} on, stages them in git and says
     * so; else prints {@code manual}, how to do it by hand. Text only, and not with --quiet or --json.
     */
    static void after(RepoOptions repo, DataRepo r, boolean changed, String manual) {
        if (!changed) return;
        boolean say = !repo.quiet && !repo.json();
        if (!r.config().autostage()) {
            if (say) repo.output().println(manual);
            return;
        }
        try {
            List<String> staged = r.stageForGit();
            if (say && !staged.isEmpty()) repo.output().println("Staged with git (autostage): " + String.join(" ", staged));
        } catch (MlvException e) {
            repo.mixee.commandLine().getErr().println("mlv: warning: autostage: " + e.getMessage());
        }
    }
}
