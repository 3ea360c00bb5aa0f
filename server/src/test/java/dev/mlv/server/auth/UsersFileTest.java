package dev.mlv.server.auth;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The users file under concurrent changes: every change lands, comments stay, a taken name is refused. */
class UsersFileTest {
    @TempDir
    Path dir;

    @Test
    void concurrentChangesAllLandAndCommentsStay() throws Exception {
        Path file = dir.resolve("users");
        Files.writeString(file, "# team users\n");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    for (int i = 0; i < 5; i++) UsersFile.put(file, "u" + thread + "-" + i, "pw", 1_000, i == 0);
                    return null;
                }));
            }
            for (Future<?> f : done) f.get();
        } finally {
            pool.shutdownNow();
        }
        UsersFile users = UsersFile.read(file);
        assertThat(users.size()).as("no change lost to another").isEqualTo(40);
        assertThat(users.isAdmin("u3-0")).isTrue();
        assertThat(users.isAdmin("u3-1")).isFalse();
        assertThat(Files.readString(file)).startsWith("# team users\n");

        assertThatThrownBy(() -> UsersFile.create(file, "u3-1", "other", 1_000))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS));
        assertThat(users.authenticate("u3-1", "pw")).contains("u3-1");
        assertThat(UsersFile.read(file).authenticate("u3-1", "pw")).as("the refused create changed nothing").contains("u3-1");
    }
}
