package dev.mlv.data;

import java.util.Map;
import java.util.Set;

/** Opens {@link Remote}s for some URL schemes; registered in {@code META-INF/services/dev.mlv.data.RemoteProvider}. */
public interface RemoteProvider {
    /** Lower-case schemes, e.g. {@code s3}. */
    Set<String> schemes();

    /** The options a remote's entry in {@code .mlv/config} may set for this provider (e.g. {@code endpoint_url}). */
    default Set<String> options() {
        return Set.of();
    }

    /** Opens the remote at {@code url}. */
    Remote open(String url);

    /**
     * Opens the remote at {@code url} with {@code options} from its {@code .mlv/config} entry, each one of
     * {@link #options()} (checked by {@link Remotes} before this is called).
     */
    default Remote open(String url, Map<String, String> options) {
        return open(url);
    }
}
