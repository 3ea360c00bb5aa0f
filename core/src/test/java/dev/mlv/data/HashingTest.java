package dev.mlv.data;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class HashingTest {
    @Test
    void copyHashesExactlyWhatItWritesForSmallAndPipelinedSizes(@TempDir Path dir) throws Exception {
        for (int size : new int[]{0, 1, 4096, Hashing.CHUNK + 7, Hashing.PIPELINE_THRESHOLD + 3 * Hashing.CHUNK + 11}) {
            byte[] data = new byte[size];
            new Random(size).nextBytes(data);
            Path src = dir.resolve("src" + size);
            Files.write(src, data);
            Path dst = dir.resolve("dst" + size);
            Hashing.Result r;
            try (FileChannel in = FileChannel.open(src, StandardOpenOption.READ);
                 FileChannel out = FileChannel.open(dst, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                r = Hashing.copy(in, in.size(), out, 0); // through the page cache, sequential or pipelined by size
            }
            assertThat(r.size()).isEqualTo(size);
            assertThat(r.digest()).isEqualTo(Digests.sha256(data)).isEqualTo(Hashing.hash(src).digest());
            assertThat(Files.readAllBytes(dst)).isEqualTo(data);
            assertThat(Hashing.hash(new ByteArrayInputStream(data)).digest()).isEqualTo(r.digest());
        }
    }

    @Test
    void copyToNewFileWritesLargeFilesWithDirectIoAndTruncatesThePaddedLastBlock(@TempDir Path dir) throws Exception {
        int block = Hashing.directBlockSize(dir.resolve("x"));
        if ("ext4".equals(Files.getFileStore(dir).type())) { // these machines and CI: the direct path is the one taken
            assertThat(block).isPositive();
            try (FileChannel probe = Hashing.createDirect(dir.resolve("probe"))) {
                assertThat(probe).isNotNull();
            }
        }
        for (int size : new int[]{Hashing.PIPELINE_THRESHOLD - 1, Hashing.PIPELINE_THRESHOLD, Hashing.PIPELINE_THRESHOLD + 1,
                Hashing.PIPELINE_THRESHOLD + 4 * Hashing.CHUNK - 1, Hashing.PIPELINE_THRESHOLD + 2 * Math.max(block, 512) + 17}) {
            byte[] data = new byte[size];
            new Random(size).nextBytes(data);
            Path src = dir.resolve("src" + size);
            Files.write(src, data);
            Path dst = dir.resolve("dst" + size);
            Hashing.Result r = Hashing.copyToNewFile(src, dst);
            assertThat(r.size()).isEqualTo(size);
            assertThat(r.digest()).isEqualTo(Digests.sha256(data));
            assertThat(Files.readAllBytes(dst)).isEqualTo(data);
        }
    }
}
