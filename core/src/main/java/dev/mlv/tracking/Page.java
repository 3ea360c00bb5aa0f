package dev.mlv.tracking;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** One page of results; {@code nextPageToken} is opaque and null on the last page. */
public record Page<T>(List<T> items, String nextPageToken) {

    /** Whether a page follows this one. */
    public boolean hasNext() {
        return nextPageToken != null && !nextPageToken.isEmpty();
    }

    /** Every item of every page, in order: {@code fetch} gets a page token (null for the first page). */
    public static <T> List<T> all(Function<String, Page<T>> fetch) {
        List<T> all = new ArrayList<>();
        Page<T> page = fetch.apply(null);
        all.addAll(page.items());
        while (page.hasNext()) {
            page = fetch.apply(page.nextPageToken());
            all.addAll(page.items());
        }
        return all;
    }
}
