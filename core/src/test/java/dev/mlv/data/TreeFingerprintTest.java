package dev.mlv.data;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class TreeFingerprintTest {
    static DataRepo.Entry e(String relpath, String inode, long mtime, long size) {
        return new DataRepo.Entry(relpath, "data/", Path.of(relpath), new StateCache.Stamp(inode, mtime, size), true);
    }

    final List<DataRepo.Entry> tree = List.of(e("a.csv", "i1", 100, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30));

    @Test
    void theOrderOfTheWalkDoesNotMatter() {
        List<DataRepo.Entry> reversed = new ArrayList<>(tree);
        java.util.Collections.reverse(reversed);
        assertThat(TreeFingerprint.of(reversed)).isEqualTo(TreeFingerprint.of(tree)).startsWith("3:");
    }

    @Test
    void everyChangeToAPathOrAStampChangesIt() {
        Set<String> seen = new HashSet<>();
        seen.add(TreeFingerprint.of(tree));
        List<List<DataRepo.Entry>> variants = List.of(
                List.of(e("a.csv", "i1", 100, 10), e("sub/b.csv", "i2", 200, 20)),                           // deleted
                List.of(e("a.csv", "i1", 100, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30), e("d", "i4", 1, 1)),
                List.of(e("A.csv", "i1", 100, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30)),     // renamed
                List.of(e("a.csv", "i9", 100, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30)),     // replaced
                List.of(e("a.csv", "i1", 101, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30)),     // touched
                List.of(e("a.csv", "i1", 100, 11), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30)),     // resized
                List.of(e("a.csv", "i2", 200, 20), e("sub/b.csv", "i1", 100, 10), e("c", "i3", 300, 30)),     // swapped
                List.of(e("a.csv", "i1", 200, 10), e("sub/b.csv", "i2", 100, 20), e("c", "i3", 300, 30)),     // mtimes swapped
                List.of(e("a.csvi", "1", 100, 10), e("sub/b.csv", "i2", 200, 20), e("c", "i3", 300, 30)));    // boundary moved
        for (List<DataRepo.Entry> v : variants) assertThat(seen.add(TreeFingerprint.of(v))).as(v.toString()).isTrue();
    }
}
