package dev.mlv.data;

import java.util.Set;

/** Opens {@link Remote}s for some URL schemes; registered in {@code META-INF/services/dev.mlv.data.RemoteProvider}. */
public interface RemoteProvider {
    /** Lower-case schemes, e.g. {@code s3}. */
    Set<String> schemes();

    Remote open(String url);
}
