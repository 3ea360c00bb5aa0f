package dev.mlv.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;

/**
 * Uploads artifact files: a PUT streamed through the server's artifact proxy, or, for large files when multipart
 * uploads are on, MLflow's proxied multipart upload: the server starts it and hands out one presigned URL per part,
 * the parts go straight to the storage ({@value #PARALLEL_PARTS} at a time, each streamed from its range of the file),
 * and the server completes it. A server whose store cannot (local files: 501 with MLflow's message) gets the PUT.
 *
 * <p>Settings as MLflow's clients read them: {@code MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD} ({@code true} turns it on),
 * {@code MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE} (default 500 MiB) and {@code MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE}
 * (the part size, default 10 MiB; S3 wants at least 5 MiB).
 */
final class ArtifactUploader {
    static final int PARALLEL_PARTS = 4;

    /** Multipart uploads for files of at least {@code minimumFileSize} bytes, in parts of {@code chunkSize}; off when not {@code enabled}. */
    record Settings(boolean enabled, long minimumFileSize, long chunkSize) {
        static final Settings OFF = new Settings(false, 500L << 20, 10L << 20);

        static Settings fromEnvironment(UnaryOperator<String> env) {
            boolean on = "true".equalsIgnoreCase(env.apply("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"))
                    || "1".equals(env.apply("MLFLOW_ENABLE_PROXY_MULTIPART_UPLOAD"));
            return new Settings(on, bytes(env, "MLFLOW_MULTIPART_UPLOAD_MINIMUM_FILE_SIZE", OFF.minimumFileSize()),
                    bytes(env, "MLFLOW_MULTIPART_UPLOAD_CHUNK_SIZE", OFF.chunkSize()));
        }

        private static long bytes(UnaryOperator<String> env, String name, long fallback) {
            String v = env.apply(name);
            try {
                return v == null || v.isBlank() ? fallback : Math.max(1, Long.parseLong(v.trim()));
            } catch (NumberFormatException e) {
                throw MlvException.invalid(name + " must be a number of bytes, got '" + v + "'");
            }
        }
    }

    private final RestClient rest;
    private final Settings settings;

    ArtifactUploader(RestClient rest, Settings settings) {
        this.rest = rest;
        this.settings = settings;
    }

    void upload(ArtifactLocation location, ArtifactPath target, Path file) {
        upload(location, target, file, null);
    }

    /** Uploads {@code file} as {@code target}, telling {@code progress} (if not null; from several threads) each number of bytes sent. */
    void upload(ArtifactLocation location, ArtifactPath target, Path file, LongConsumer progress) {
        if (settings.enabled()) {
            long size = size(file);
            if (size >= settings.minimumFileSize() && uploadInParts(location, target, file, size, progress)) return;
        }
        rest.putFile(location.url(target), file, progress);
    }

    /** The multipart upload; false when the server's store does not take one. */
    private boolean uploadInParts(ArtifactLocation location, ArtifactPath target, Path file, long size, LongConsumer progress) {
        long parts = Math.max(1, (size + settings.chunkSize() - 1) / settings.chunkSize());
        Map<String, Object> request = new HashMap<>(Map.of("path", target.name()));
        JsonNode created;
        try {
            created = rest.post(location.multipartUrl("create", target.parent()), Map.of("path", target.name(), "num_parts", parts));
        } catch (MlvException e) {
            if (e.code() == ErrorCode.NOT_IMPLEMENTED && e.getMessage().startsWith(ArtifactStore.MULTIPART_UNSUPPORTED)) return false;
            throw e;
        }
        request.put("upload_id", created.path("upload_id").asText());
        ExecutorService pool = Executors.newFixedThreadPool((int) Math.min(PARALLEL_PARTS, parts), r -> {
            Thread t = new Thread(r, "mlv-artifact-part");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Map<String, Object>>> sent = new ArrayList<>();
            for (JsonNode credential : created.path("credentials")) {
                int number = credential.path("part_number").asInt();
                long offset = (number - 1) * settings.chunkSize();
                long length = Math.min(settings.chunkSize(), size - offset);
                Map<String, String> headers = new HashMap<>();
                credential.path("headers").fields().forEachRemaining(h -> headers.put(h.getKey(), h.getValue().asText()));
                URI url = URI.create(credential.path("url").asText());
                sent.add(pool.submit(() -> Map.of("part_number", number, "etag", rest.putPart(url, headers, file, offset, length,
                        progress == null ? n -> { } : progress))));
            }
            List<Map<String, Object>> done = new ArrayList<>();
            for (Future<Map<String, Object>> part : sent) done.add(await(part));
            request.put("parts", done);
            rest.post(location.multipartUrl("complete", target.parent()), request);
            return true;
        } catch (RuntimeException e) {
            request.remove("parts");
            try {
                rest.post(location.multipartUrl("abort", target.parent()), request);
            } catch (RuntimeException abort) {
                e.addSuppressed(abort);
            }
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> T await(Future<T> f) {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new MlvException(ErrorCode.INTERNAL_ERROR, "Uploading a part failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MlvException(ErrorCode.ABORTED, "Interrupted while uploading parts");
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }
}
