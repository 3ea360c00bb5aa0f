package dev.mlv.artifacts;

import java.util.List;
import java.util.Map;

/**
 * A multipart upload whose parts the client sends straight to the storage, as MLflow's
 * {@code mlflow-artifacts/mpu/create} answers it: the storage's upload id and, for every part, where to send it.
 *
 * @param uploadId the storage's id of the upload; {@code complete} and {@code abort} name it
 * @param targets  one per part, in part-number order
 */
public record MultipartUpload(String uploadId, List<PartTarget> targets) {
    /** S3's limit, which MLflow's clients follow: parts are numbered 1 to 10,000. */
    public static final int MAX_PARTS = 10_000;

    public MultipartUpload {
        targets = List.copyOf(targets);
    }

    /**
     * Where the bytes of part {@code partNumber} (from 1) go: an HTTP {@code PUT} of them to {@code url} (a presigned
     * URL, valid for a limited time) with {@code headers}. The storage answers with the part's {@code ETag}.
     */
    public record PartTarget(int partNumber, String url, Map<String, String> headers) {
        public PartTarget {
            headers = Map.copyOf(headers);
        }
    }

    /** A part the client has sent: its number and the {@code ETag} the storage answered for it. */
    public record UploadedPart(int partNumber, String etag) {
    }
}
