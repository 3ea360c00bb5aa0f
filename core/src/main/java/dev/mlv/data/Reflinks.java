package dev.mlv.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Copy-on-write clones of files ({@code cp --reflink=always}, GNU coreutils): the clone shares the original's blocks
 * until either is changed, so it takes no time and no space whatever the size. Only where the file system can (Btrfs,
 * XFS with reflink, …) and within one file system; elsewhere the {@code cp} fails and callers copy instead. Java has no
 * call of its own for it (its file copies use {@code sendfile}).
 */
final class Reflinks {
    private Reflinks() {
    }

    /** Clones {@code src} to the new file {@code dst}; false (and no {@code dst}) when it cannot be cloned. */
    static boolean clone(Path src, Path dst) {
        if (run(List.of("cp", "--reflink=always", "--", src.toString(), dst.toString()))) return true;
        AtomicFiles.deleteQuietly(dst); // cp may leave an empty file where the clone failed
        return false;
    }

    /**
     * Clones each of {@code sources} (distinct names) into the folder {@code dir} under its own name, with one
     * {@code cp}; true when all were. After a false, any of them may be missing or empty in {@code dir}.
     */
    static boolean cloneInto(Path dir, List<Path> sources) {
        List<String> cmd = new ArrayList<>(List.of("cp", "--reflink=always", "-t", dir.toString(), "--"));
        for (Path s : sources) cmd.add(s.toString());
        return run(cmd);
    }

    private static boolean run(List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor() == 0;
        } catch (IOException e) {
            return false; // no cp here
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
