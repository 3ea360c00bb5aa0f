package dev.mlv.cli;

import dev.mlv.client.http.RestClient;
import dev.mlv.data.DataConfig;
import dev.mlv.data.DataRepo;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.serving.registry.ModelFetcher;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * {@code mlv doctor}, as {@code mlflow doctor}: what a bug report or a support question needs about this machine, the
 * tracking server it talks to, the data repository here and the settings in the environment (secrets masked).
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, description = {
        "Print what a bug report needs: versions (mlv, Java, OS, git), the tracking server and whether it answers.",
        "Also the model cache, the data repository here and the MLV_/MLFLOW_/AWS_ settings (secrets masked).",
        "Example: mlv doctor --json"})
public final class DoctorCommand implements Callable<Integer> {
    /** Environment variables that configure mlv, MLflow clients or the AWS SDK. */
    private static final String[] PREFIXES = {"MLV_", "MLFLOW_", "AWS_"};

    @Mixin
    ClientOptions client;

    @Override
    public Integer call() {
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("mlv", VersionProvider.version());
        report.put("java", System.getProperty("java.version") + " (" + System.getProperty("java.vendor") + ") at "
                + System.getProperty("java.home"));
        report.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + ", " + Runtime.getRuntime().availableProcessors() + " CPUs");
        report.put("git", git());
        report.put("tracking_uri", client.trackingUri());
        report.put("tracking_server", server(client.rest()));
        report.put("model_cache", ModelFetcher.defaultCache().toString());
        report.put("data_repository", dataRepository());
        Map<String, String> env = environment(System.getenv());
        if (client.json()) {
            report.put("environment", env);
            client.output().json(report);
        } else {
            client.output().keyValues(report);
            client.output().section("Environment", env);
        }
        return 0;
    }

    /**
     * Whether the server answers {@code GET /version}, and with what, asked as every command asks it (the same TLS
     * settings and credentials).
     */
    static String server(RestClient rest) {
        long start = System.nanoTime();
        try (InputStream in = rest.openStream("/version")) {
            String body = new String(in.readNBytes(80), StandardCharsets.UTF_8).strip();
            return "reachable, version " + body + " (GET /version in " + (System.nanoTime() - start) / 1_000_000 + " ms)";
        } catch (MlvException e) {
            return (e.code() == ErrorCode.TEMPORARILY_UNAVAILABLE ? "not reachable: " : "GET /version failed: ") + e.getMessage();
        } catch (IOException e) {
            return "GET /version failed: " + e.getMessage();
        }
    }

    /** {@code git --version}, which {@code mlv data} needs for history, imports and the code commit of runs. */
    private static String git() {
        try {
            Process p = new ProcessBuilder("git", "--version").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            return p.waitFor() == 0 ? out : "git --version failed: " + out;
        } catch (IOException e) {
            return "not found (mlv data needs git for history, diff, gc --all-commits and imports)";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "not checked (interrupted)";
        }
    }

    /** The data repository at or above the current folder, with its remotes; or why there is none. */
    private static String dataRepository() {
        Path root;
        try {
            root = DataRepo.findRoot(Path.of(""));
        } catch (MlvException e) {
            return "none here (run 'mlv data init' at the top of a git repository)";
        }
        try {
            DataConfig c = DataConfig.ofRepository(root.resolve(DataRepo.DIR));
            StringBuilder s = new StringBuilder(root.toString());
            if (java.nio.file.Files.exists(root.resolve(DataRepo.DIR).resolve(DataConfig.LOCAL_FILE))) {
                s.append(" (with .mlv/").append(DataConfig.LOCAL_FILE).append(')');
            }
            s.append(c.remotes().isEmpty() ? ", no remotes" : ", remotes:");
            new TreeMap<>(c.remotes()).forEach((name, url) -> s.append(' ').append(name).append('=').append(url)
                    .append(name.equals(c.defaultRemote()) ? " (default)" : ""));
            return s.toString();
        } catch (MlvException e) {
            return root + ": " + e.getMessage();
        }
    }

    /** The MLV_, MLFLOW_ and AWS_ variables of {@code env}, sorted, the value of any secret replaced by {@code ***}. */
    static Map<String, String> environment(Map<String, String> env) {
        Map<String, String> out = new TreeMap<>();
        env.forEach((k, v) -> {
            for (String p : PREFIXES) {
                if (k.startsWith(p)) out.put(k, secret(k) ? "***" : v);
            }
        });
        return out;
    }

    /** Whether a variable named so holds a secret (a password, token, key or credentials), which is never printed. */
    static boolean secret(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        return n.contains("PASSWORD") || n.contains("TOKEN") || n.contains("SECRET") || n.contains("KEY")
                || n.contains("CREDENTIAL");
    }
}
