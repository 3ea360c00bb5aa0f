package dev.mlv.users;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link UserStore} passes. Subclasses name the backend; one store serves the tests of a class,
 * each test on users of its own prefix.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class UserStoreContractTest {
    /** Few iterations: the hash's strength is not under test. */
    protected static final int FAST = 1_000;

    /** A new, empty store; {@code dir} is a temporary directory of the class, what must be closed goes into {@code closeAfter}. */
    protected abstract UserStore newStore(Path dir, List<AutoCloseable> closeAfter) throws Exception;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    protected UserStore users;
    protected String id;

    @BeforeAll
    void open(@TempDir Path dir) throws Exception {
        users = newStore(dir, closeAfter);
    }

    @AfterAll
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) c.close();
    }

    @BeforeEach
    void prefix() {
        id = "t" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static MlvException error(Runnable r) {
        try {
            r.run();
        } catch (MlvException e) {
            return e;
        }
        throw new AssertionError("expected an MlvException");
    }

    private List<User> mine() {
        return users.list().stream().filter(u -> u.name().startsWith(id)).toList();
    }

    @Test
    void createGetListAndPasswords() {
        users.create(User.withPassword(id + "-bob", "bob pw", FAST, false), "root");
        users.create(User.withPassword(id + "-alice", "alice pw", FAST, true), "root");

        users.create(User.withPassword(id + "-Zed", "pw", FAST, false), "root");
        users.create(User.withPassword(id + "-_x", "pw", FAST, false), "root");
        assertThat(mine()).extracting(User::name).as("ordered by name, as Java orders strings")
                .containsExactly(id + "-Zed", id + "-_x", id + "-alice", id + "-bob");
        User alice = users.get(id + "-alice").orElseThrow();
        assertThat(alice.admin()).isTrue();
        assertThat(alice.matches("alice pw")).isTrue();
        assertThat(alice.matches("bob pw")).isFalse();
        assertThat(alice.passwordHash()).doesNotContain("alice pw").startsWith("pbkdf2_sha256$" + FAST + "$");
        assertThat(users.get(id + "-carol")).isEmpty();

        MlvException taken = error(() -> users.create(User.withPassword(id + "-bob", "other", FAST, true), "root"));
        assertThat(taken.code()).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
        User bob = users.get(id + "-bob").orElseThrow();
        assertThat(bob.matches("bob pw")).as("the refused create changed nothing").isTrue();
        assertThat(bob.admin()).isFalse();
    }

    @Test
    void passwordAndAdminChangesKeepTheRest() {
        users.create(User.withPassword(id + "-a", "first", FAST, true), "root");
        users.setPassword(id + "-a", PasswordHash.of("second", FAST), "root");
        User a = users.get(id + "-a").orElseThrow();
        assertThat(a.matches("second")).isTrue();
        assertThat(a.matches("first")).isFalse();
        assertThat(a.admin()).as("a new password keeps the admin flag").isTrue();

        users.setAdmin(id + "-a", false, "root");
        a = users.get(id + "-a").orElseThrow();
        assertThat(a.admin()).isFalse();
        assertThat(a.matches("second")).as("the admin flag keeps the password").isTrue();

        assertThat(error(() -> users.setPassword(id + "-none", PasswordHash.of("x", FAST), "root")).code())
                .isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(error(() -> users.setAdmin(id + "-none", true, "root")).code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(users.get(id + "-none")).as("nothing created by a refused change").isEmpty();
    }

    @Test
    void deleteRemovesOnlyThatUser() {
        users.create(User.withPassword(id + "-a", "pw", FAST, false), "root");
        users.create(User.withPassword(id + "-b", "pw", FAST, false), "root");
        assertThat(users.delete(id + "-a", "root")).isTrue();
        assertThat(users.delete(id + "-a", "root")).as("already gone").isFalse();
        assertThat(mine()).extracting(User::name).containsExactly(id + "-b");
    }

    @Test
    void badNamesAndHashesAreRefusedAndChangeNothing() {
        for (String bad : new String[]{"", "a b", "a:b", "../x", "a\u0000b", "x".repeat(129)}) {
            assertThat(error(() -> users.create(User.withPassword(bad, "pw", FAST, false), "root")).code())
                    .as("name %s", bad).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(error(() -> users.get(bad)).code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        users.create(User.withPassword(id + "-a", "pw", FAST, false), "root");
        for (String bad : new String[]{"", "plain", "md5$1$a$b", "pbkdf2_sha256$0$c2FsdA==$aGFzaA==", "pbkdf2_sha256$1$!!$aGFzaA=="}) {
            assertThat(error(() -> users.setPassword(id + "-a", bad, "root")).code()).as("hash %s", bad)
                    .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        assertThat(error(() -> User.withPassword(id + "-b", "", FAST, false)).code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(users.get(id + "-a").orElseThrow().matches("pw")).isTrue();
    }

    @Test
    void concurrentChangesLoseNothing() throws Exception {
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CyclicBarrier start = new CyclicBarrier(threads);
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    int created = 0;
                    for (int i = 0; i < 4; i++) {
                        users.create(User.withPassword(id + "-u" + thread + "-" + i, "pw", FAST, i == 0), "root");
                        try { // every thread races for the same shared name: exactly one wins
                            users.create(User.withPassword(id + "-shared" + i, "pw" + thread, FAST, false), "root");
                            created++;
                        } catch (MlvException e) {
                            assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
                        }
                    }
                    return created;
                }));
            }
            int shared = 0;
            for (Future<Integer> f : done) shared += f.get();
            assertThat(shared).as("one create of each shared name wins").isEqualTo(4);
        } finally {
            pool.shutdownNow();
        }
        assertThat(mine()).as("no change lost to another").hasSize(threads * 4 + 4);
        assertThat(users.get(id + "-u3-0").orElseThrow().admin()).isTrue();
        assertThat(users.get(id + "-u3-1").orElseThrow().admin()).isFalse();
    }
}
