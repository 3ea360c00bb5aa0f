package dev.mlv.cli.data;

import dev.mlv.data.DataConfig;
import dev.mlv.data.DataRepo;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

@Command(name = "remote", description = "Manage remotes (kept in .mlv/config; with --local in .mlv/config.local).")
final class DataRemoteCommand implements Runnable {
    /** {@code --local}: the change goes to {@code .mlv/config.local}, this clone's own settings (as DVC's). */
    static final class Local {
        @Option(names = "--local", description = "Change .mlv/config.local instead: this clone's own settings, git-ignored, "
                + "which override .mlv/config (as 'dvc remote ... --local').")
        boolean local;
    }

    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            DataRemoteCommand.Add.class,
            DataRemoteCommand.ListRemotes.class,
            DataRemoteCommand.Modify.class,
            DataRemoteCommand.Default.class,
            DataRemoteCommand.Rename.class,
            DataRemoteCommand.Remove.class,
    };

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "add", description = "Add (or replace) a remote: a local path, s3://bucket/prefix or http(s)://mlv-server.")
    static final class Add implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "URL")
        String url;

        @Option(names = {"-d", "--default"}, description = "Make it the default remote.")
        boolean makeDefault;

        @Mixin
        Local scope;

        @Override
        public Integer call() {
            try (DataRepo r = repo.open()) {
                String u = asConfigured(repo, r, url);
                r.addRemote(name, u, makeDefault, scope.local);
                repo.output().println("remote " + name + " -> " + u + (name.equals(r.config().defaultRemote()) ? " (default)" : ""));
            }
            return 0;
        }
    }

    /** A remote URL as the config keeps it: a relative local path, given from where the user is, made relative to the repository root. */
    static String asConfigured(RepoOptions repo, DataRepo r, String url) {
        if (dev.mlv.artifacts.ArtifactStores.schemeOf(url) != null || java.nio.file.Path.of(url).isAbsolute()) return url;
        return r.root().relativize(repo.base().resolve(url).normalize()).toString();
    }

    @Command(name = "list", description = "List remotes.")
    static final class ListRemotes implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Override
        public Integer call() {
            try (DataRepo r = repo.open()) {
                List<List<String>> rows = new ArrayList<>();
                DataConfig c = r.config();
                c.remotes().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> rows.add(List.of(e.getKey(),
                        e.getValue(), e.getKey().equals(c.defaultRemote()) ? "yes" : "", String.join(", ",
                                new TreeMap<>(c.options(e.getKey())).entrySet().stream().map(o -> o.getKey() + "=" + o.getValue()).toList()))));
                if (repo.json()) {
                    List<Map<String, Object>> json = new ArrayList<>();
                    new TreeMap<>(c.remotes()).forEach((name, url) -> json.add(Map.of("name", name, "url", url,
                            "default", name.equals(c.defaultRemote()), "options", new TreeMap<>(c.options(name)))));
                    repo.output().json(json);
                }
                else repo.output().table(List.of("NAME", "URL", "DEFAULT", "OPTIONS"), rows, "No remotes (add one with 'mlv data remote add NAME URL --default').");
            }
            return 0;
        }
    }

    @Command(name = "modify", description = {
            "Set or unset an option of a remote in .mlv/config (as 'dvc remote modify').",
            "OPTION is url; jobs (how many objects push and fetch move at once, 1 to 128; -j overrides it); or for an",
            "s3:// remote: endpoint_url (an S3-compatible store such as MinIO), region, or profile (the AWS profile whose",
            "credentials to use). Credentials themselves stay out of .mlv/config, which is meant for git: use a profile,",
            "or the AWS environment variables.",
            "Examples:",
            "  mlv data remote modify storage endpoint_url http://minio.internal:9000",
            "  mlv data remote modify storage region --unset",
            "  mlv data remote modify storage jobs 32"})
    static final class Modify extends Change {
        @Parameters(index = "1", paramLabel = "OPTION")
        String option;

        @Parameters(index = "2", paramLabel = "VALUE", arity = "0..1")
        String value;

        @Option(names = {"-u", "--unset"}, description = "Remove the option.")
        boolean unset;

        @Mixin
        Local scope;

        @Override
        String change(DataRepo r) {
            if (unset == (value != null)) {
                throw MlvException.invalid(unset ? "Give either VALUE or --unset, not both" : "Give a VALUE, or --unset to remove the option");
            }
            r.modifyRemote(name, option, unset || !option.equals("url") ? value : asConfigured(repo, r, value), scope.local);
            return unset ? "remote " + name + ": " + option + " unset" : "remote " + name + ": " + option + " = " + value;
        }
    }

    /** A change of one remote's entry in {@code .mlv/config}; the remote's contents are untouched. */
    abstract static class Change implements Callable<Integer> {
        @Mixin
        RepoOptions repo;

        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        /** Makes the change and returns the line that says what changed. */
        abstract String change(DataRepo r);

        @Override
        public Integer call() {
            try (DataRepo r = repo.open()) {
                repo.output().println(change(r));
            }
            return 0;
        }
    }

    /** A note when imported data reads from {@code remote://name/…}, which no remote answers to any more. */
    static String stillNamed(DataRepo r, String name) {
        List<java.nio.file.Path> pointers = r.importedFromRemote(name);
        return pointers.isEmpty() ? "" : "\nnote: " + pointers.size() + " import(s) read from remote://" + name + "/… (e.g. "
                + pointers.get(0) + "): 'update' and fetching them from their source need a remote named " + name
                + " again; their data in your remotes is not affected";
    }

    @Command(name = "default", description = "Make a remote the default one (push, fetch and pull use it without -r).")
    static final class Default extends Change {
        @Mixin
        Local scope;

        @Override
        String change(DataRepo r) {
            r.makeDefaultRemote(name, scope.local);
            return "default remote: " + name + (scope.local ? " (in .mlv/config.local)" : "");
        }
    }

    @Command(name = "rename", description = "Rename a remote (it stays the default if it was; this clone's settings of it in "
            + ".mlv/config.local follow it).")
    static final class Rename extends Change {
        @Parameters(index = "1", paramLabel = "NEW_NAME")
        String newName;

        @Mixin
        Local scope;

        @Override
        String change(DataRepo r) {
            r.renameRemote(name, newName, scope.local);
            return "remote " + name + " is now " + newName + (scope.local ? " (in .mlv/config.local)" : "") + stillNamed(r, name);
        }
    }

    @Command(name = "remove", description = "Remove a remote from .mlv/config (or .mlv/config.local); what it stores is left as it is.")
    static final class Remove extends Change {
        @Mixin
        Local scope;

        @Override
        String change(DataRepo r) {
            boolean wasDefault = name.equals(r.config().defaultRemote());
            r.removeRemote(name, scope.local);
            if (scope.local) {
                return "removed remote " + name + " from .mlv/config.local" + (r.config().remotes().containsKey(name)
                        ? "; .mlv/config still has it: " + r.config().remoteUrl(name) : "");
            }
            return "removed remote " + name + (wasDefault ? "; there is no default remote now (set one with "
                    + "'mlv data remote default NAME')" : "") + stillNamed(r, name);
        }
    }
}
