package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.data.ConsoleProgress;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelUri;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code mlv artifacts list|download|log-artifact|log-artifacts}, as MLflow's {@code mlflow artifacts}. */
@Command(name = "artifacts", mixinStandardHelpOptions = true,
        description = "List, download and upload a run's artifacts (as 'mlflow artifacts').")
public final class ArtifactsCommand implements Runnable {
    static final Class<?>[] SUBCOMMANDS = {ListCmd.class, DownloadCmd.class, LogArtifactCmd.class, LogArtifactsCmd.class};

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** A run and a path among its artifacts (null or "" for all of them). */
    record RunPath(String runId, String path) {
    }

    /** {@code --run-id} and {@code --artifact-path}, or {@code -u runs:/ID/PATH}. */
    static final class Where {
        @Option(names = {"-r", "--run-id"}, paramLabel = "RUN_ID", description = "The run.")
        String runId;

        @Option(names = {"-a", "--artifact-path"}, paramLabel = "PATH",
                description = "A file or folder among the run's artifacts (default: all of them).")
        String artifactPath;

        @Option(names = {"-u", "--artifact-uri"}, paramLabel = "URI",
                description = "Instead of --run-id and --artifact-path: runs:/RUN_ID/PATH, or for download also a "
                        + "model URI (models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS).")
        String uri;

        /** The run id and path named, from the options or a {@code runs:/} URI. */
        RunPath runAndPath() {
            if (uri != null) {
                onlyUri();
                ModelUri u = ModelUri.parse(uri);
                if (u.kind() != ModelUri.Kind.RUN) throw MlvException.invalid("Expected a runs:/RUN_ID/PATH URI, got '" + uri + "'");
                return new RunPath(u.runId(), u.path().toString());
            }
            if (runId == null) throw MlvException.invalid("Missing --run-id (or --artifact-uri runs:/RUN_ID/PATH)");
            return new RunPath(runId, artifactPath);
        }

        /** The {@code models:/} URI named, or null when the options name a run's artifacts. */
        String modelUri() {
            if (uri == null || !uri.trim().startsWith("models:")) return null;
            onlyUri();
            return uri.trim();
        }

        private void onlyUri() {
            if (runId != null || artifactPath != null) {
                throw MlvException.invalid("Give either --artifact-uri or --run-id (with --artifact-path), not both");
            }
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = {"List the files and folders directly under an artifact path of a run.",
                    "Example: mlv artifacts list --run-id 0a1b… --artifact-path model"})
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Mixin
        Where where;

        @Override
        public Integer call() {
            RunPath rp = where.runAndPath();
            List<FileInfo> files = MlvClient.connect(client.trackingUri()).listArtifacts(rp.runId(), rp.path());
            ArrayNode json = RestClient.json().valueToTree(files.stream().map(f -> new ListedFile(f.path(), f.isDir(), f.fileSize())).toList());
            if (client.printedAsJson("files", json)) return 0;
            List<List<String>> rows = new ArrayList<>();
            for (FileInfo f : files) rows.add(List.of(f.path() + (f.isDir() ? "/" : ""), f.isDir() || f.fileSize() == null ? "" : String.valueOf(f.fileSize())));
            client.output().table(List.of("PATH", "SIZE"), rows, "No artifacts.");
            return 0;
        }
    }

    /** MLflow's field names in {@code --json}. */
    record ListedFile(String path, boolean is_dir, Long file_size) {
    }

    @Command(name = "download", mixinStandardHelpOptions = true,
            description = {"Download a run's artifact file or folder (all of them by default), or a model's files, and "
                    + "print where they landed. A model version's files are checked against the digests recorded "
                    + "when it was registered.",
                    "Examples:",
                    "  mlv artifacts download --run-id 0a1b… --artifact-path model -d ./out",
                    "  mlv artifacts download -u models:/fraud/Production -d ./fraud-model"})
    static final class DownloadCmd implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Mixin
        Where where;

        @Option(names = {"-d", "--dst-path"}, paramLabel = "DIR",
                description = "The folder to download into, created if needed (default: a new temporary folder).")
        Path dst;

        @Override
        public Integer call() throws IOException {
            String model = where.modelUri();
            RunPath rp = model == null ? where.runAndPath() : null; // options checked before anything is created
            Path into = dst != null ? dst : Files.createTempDirectory("mlv-artifacts-");
            Path local;
            if (model != null) {
                ModelFetcher fetcher = new ModelFetcher(client.rest(), ModelFetcher.defaultCache());
                local = copyTree(fetcher.fetch(fetcher.resolve(ModelRef.parse(model))), into);
            } else {
                local = MlvClient.connect(client.trackingUri()).downloadArtifacts(rp.runId(), rp.path(), into,
                        new ConsoleProgress(spec.commandLine().getErr()));
            }
            client.print(RestClient.object().put("path", local.toAbsolutePath().toString()), local.toAbsolutePath().toString());
            return 0;
        }

        /** Copies the files of {@code from} (a verified model in the cache) into {@code to}; returns {@code to}. */
        private static Path copyTree(Path from, Path to) {
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path f : walk.filter(Files::isRegularFile).toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    Files.createDirectories(target.getParent());
                    Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot copy the model into " + to + ": " + e.getMessage(), e);
            }
            return to;
        }
    }

    /** An upload into a run's artifacts: the run and the artifact folder, a progress bar on stderr, a line saying what went where. */
    abstract static class Upload implements Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Mixin
        ClientOptions client;

        @Option(names = {"-r", "--run-id"}, required = true, paramLabel = "RUN_ID", description = "The run.")
        String runId;

        @Option(names = {"-a", "--artifact-path"}, paramLabel = "PATH", description = "The artifact folder to upload into (default: the root).")
        String artifactPath;

        /** The local file or folder. */
        abstract Path local();

        /** Uploads {@link #local()} with {@code mlv}. */
        abstract void send(MlvClient mlv, ConsoleProgress progress);

        @Override
        public Integer call() {
            send(MlvClient.connect(client.trackingUri()), new ConsoleProgress(spec.commandLine().getErr()));
            client.output().println("Logged " + local() + " to run " + runId
                    + (artifactPath == null || artifactPath.isBlank() ? "" : " under " + artifactPath));
            return 0;
        }
    }

    @Command(name = "log-artifact", mixinStandardHelpOptions = true, description = "Upload a file into a run's artifacts.")
    static final class LogArtifactCmd extends Upload {
        @Option(names = {"-l", "--local-file"}, required = true, paramLabel = "FILE", description = "The file to upload.")
        Path file;

        @Override
        Path local() {
            return file;
        }

        @Override
        void send(MlvClient mlv, ConsoleProgress progress) {
            mlv.logArtifact(runId, file, artifactPath, progress);
        }
    }

    @Command(name = "log-artifacts", mixinStandardHelpOptions = true,
            description = "Upload a folder's files, keeping their relative paths, into a run's artifacts.")
    static final class LogArtifactsCmd extends Upload {
        @Option(names = {"-l", "--local-dir"}, required = true, paramLabel = "DIR", description = "The folder to upload.")
        Path dir;

        @Override
        Path local() {
            return dir;
        }

        @Override
        void send(MlvClient mlv, ConsoleProgress progress) {
            mlv.logArtifacts(runId, dir, artifactPath, progress);
        }
    }
}
