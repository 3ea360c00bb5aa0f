package dev.mlv.serving.docker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.mlv.errors.MlvException;
import dev.mlv.serving.registry.ModelFetcher;
import dev.mlv.serving.registry.ModelRef;
import dev.mlv.serving.registry.ResolvedModel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code mlv models generate-dockerfile}: a Docker build context that serves one model version on port 8080 —
 * a {@code Dockerfile} on a Temurin JRE base, the mlv jar with its {@code lib/} folder, the model files (downloaded
 * and digest-checked) under {@code model/}, and {@code mlv-model.json} recording what was resolved.
 */
public final class DockerContext {
    public static final String BASE_IMAGE = "eclipse-temurin:17-jre";
    public static final int PORT = 8080;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DockerContext() {
    }

    /** What was written. */
    public record Result(Path dir, String name, String version, List<String> modelFiles) {
    }

    /**
     * Writes the context into {@code dir}. {@code fetcher} is null for a local model directory; {@code mlvJar} is the
     * runnable jar, whose sibling {@code lib/} folder (if any) is copied too.
     */
    public static Result write(String modelUri, ModelFetcher fetcher, Path dir, Path mlvJar) {
        if (mlvJar == null || !Files.isRegularFile(mlvJar)) {
            throw MlvException.invalid("The mlv jar was not found" + (mlvJar == null ? "" : " at " + mlvJar)
                    + "; build it with ./mlv --version (cli/target/mlv.jar) or pass --mlv-jar");
        }
        ModelRef ref = ModelRef.parse(modelUri);
        try {
            Files.createDirectories(dir);
            if (Files.exists(dir.resolve("Dockerfile"))) throw MlvException.alreadyExists("A Dockerfile already exists in " + dir);
            Path modelDir = dir.resolve("model");
            String name;
            String version;
            Map<String, Object> info = new LinkedHashMap<>();
            info.put("model_uri", modelUri);
            if (ref.kind() == ModelRef.Kind.LOCAL) {
                Path src = Path.of(ref.uri());
                if (!Files.isRegularFile(src.resolve("MLmodel"))) throw MlvException.notFound("No MLmodel file in " + src);
                copyTree(src, modelDir);
                name = String.valueOf(src.toAbsolutePath().normalize().getFileName());
                version = "local";
            } else {
                if (fetcher == null) throw MlvException.invalid("A registry URI needs a tracking server");
                ResolvedModel r = fetcher.resolve(ref);
                Path cached = fetcher.fetch(r);
                copyTree(cached, modelDir);
                name = r.name();
                version = r.version();
                info.put("run_id", r.runId());
                info.put("download_uri", r.downloadUri());
            }
            info.put("name", name);
            info.put("version", version);
            List<Map<String, Object>> files = new ArrayList<>();
            List<String> rel = new ArrayList<>();
            try (Stream<Path> s = Files.walk(modelDir)) {
                for (Path f : s.filter(Files::isRegularFile).sorted().toList()) {
                    String p = modelDir.relativize(f).toString().replace('\\', '/');
                    rel.add(p);
                    files.add(Map.of("path", p, "size", Files.size(f), "sha256", ModelFetcher.sha256(f)));
                }
            }
            info.put("files", files);
            Files.write(dir.resolve("mlv-model.json"), JSON.writeValueAsBytes(info));

            Files.copy(mlvJar, dir.resolve("mlv.jar"), StandardCopyOption.REPLACE_EXISTING);
            Path lib = mlvJar.toAbsolutePath().getParent().resolve("lib");
            boolean hasLib = Files.isDirectory(lib);
            if (hasLib) copyTree(lib, dir.resolve("lib"));
            else Files.createDirectories(dir.resolve("lib"));
            Files.writeString(dir.resolve("Dockerfile"), dockerfile(name, version), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(".dockerignore"), "*\n!Dockerfile\n!mlv.jar\n!lib/\n!model/\n!mlv-model.json\n", StandardCharsets.UTF_8);
            return new Result(dir, name, version, rel);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the Docker context to " + dir, e);
        }
    }

    static String dockerfile(String name, String version) {
        String cmd = String.join("\", \"", List.of("java", "-XX:+UseContainerSupport", "-jar", "/opt/mlv/mlv.jar", "models", "serve",
                "-m", "/opt/ml/model", "--host", "0.0.0.0", "--port", Integer.toString(PORT),
                "--name", name, "--model-version", version));
        return "# Generated by mlv models generate-dockerfile: serves " + name + " version " + version + " on port " + PORT + ".\n"
                + "# Build: docker build -t " + name.toLowerCase().replaceAll("[^a-z0-9_.-]", "-") + ":" + version + " .\n"
                + "FROM " + BASE_IMAGE + "\n"
                + "LABEL dev.mlv.model.name=\"" + name + "\" dev.mlv.model.version=\"" + version + "\"\n"
                + "WORKDIR /opt/mlv\n"
                + "COPY lib/ /opt/mlv/lib/\n"
                + "COPY mlv.jar /opt/mlv/mlv.jar\n"
                + "COPY model/ /opt/ml/model/\n"
                + "COPY mlv-model.json /opt/ml/mlv-model.json\n"
                + "ENV MLV_HOME=/opt/mlv/home\n"
                + "EXPOSE " + PORT + "\n"
                + "CMD [\"" + cmd + "\"]\n";
    }

    private static void copyTree(Path src, Path dst) throws IOException {
        try (Stream<Path> s = Files.walk(src)) {
            for (Path p : s.sorted().toList()) {
                Path t = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else if (!p.getFileName().toString().startsWith(".")) {
                    Files.createDirectories(t.getParent());
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
