package dev.mlv.server.auth;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.users.UsersFile;
import dev.mlv.users.User;
import dev.mlv.users.PasswordHash;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AuthenticatorTest {
    @TempDir
    Path dir;

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void newCredentialsWaitForAFreeCheckWhileKnownOnesNeedNone() throws Exception {
        new UsersFile(dir.resolve("users")).create(User.withPassword("alice", "pw", 1_000, false), "test");
        Authenticator auth = new Authenticator(new UsersFile(dir.resolve("users")), "add one");
        assertThat(auth.authenticate(basic("alice", "pw"))).contains("alice");
        assertThat(auth.authenticate(basic("alice", "wrong"))).isEmpty();

        Semaphore checks = auth.checks();
        int permits = checks.availablePermits();
        checks.acquire(permits);
        try {
            long start = System.nanoTime();
            assertThatThrownBy(() -> auth.authenticate(basic("alice", "guess")))
                    .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REQUEST_LIMIT_EXCEEDED));
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(Authenticator.WAIT_SECONDS * 1_000_000_000L);
            // remembered answers, right or wrong, need no check
            assertThat(auth.authenticate(basic("alice", "pw"))).contains("alice");
            assertThat(auth.authenticate(basic("alice", "wrong"))).isEmpty();
            assertThat(auth.authenticate(null)).isEmpty();
        } finally {
            checks.release(permits);
        }
        assertThat(auth.authenticate(basic("alice", "guess"))).isEmpty();
        assertThat(checks.availablePermits()).isEqualTo(permits);
    }

    @Test
    void malformedHeadersAreRefusedAndGiveTheirPermitBack() {
        new UsersFile(dir.resolve("users")).create(User.withPassword("alice", "pw", 1_000, false), "test");
        Authenticator auth = new Authenticator(new UsersFile(dir.resolve("users")), "add one");
        int permits = auth.checks().availablePermits();
        assertThat(auth.authenticate("Basic not-base64!")).isEmpty();
        assertThat(auth.authenticate("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes()))).isEmpty();
        assertThat(auth.authenticate(basic("nobody", "pw"))).isEmpty();
        assertThat(auth.authenticate("Bearer token")).isEmpty();
        assertThat(auth.checks().availablePermits()).isEqualTo(permits);
    }

    @Test
    void followsChangedUsersAndKeepsTheLastOnesWhenTheyCannotBeRead() throws Exception {
        UsersFile users = new UsersFile(dir.resolve("users"));
        assertThatThrownBy(() -> new Authenticator(users, "add one with X"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.getMessage()).contains("no users").contains("add one with X"));
        users.create(User.withPassword("alice", "pw", 1_000, false), "test");
        users.create(User.withPassword("bob", "pw", 1_000, false), "test");
        Authenticator auth = new Authenticator(users, "add one");
        assertThat(auth.authenticate(basic("alice", "pw"))).contains("alice");
        assertThat(auth.authenticate(basic("bob", "pw"))).contains("bob");

        users.setPassword("alice", PasswordHash.of("new", 1_000), "test");
        users.delete("bob", "test");
        users.setAdmin("alice", true, "test");
        auth.reload();
        assertThat(auth.authenticate(basic("alice", "pw"))).as("the remembered old password is forgotten").isEmpty();
        assertThat(auth.authenticate(basic("alice", "new"))).contains("alice");
        assertThat(auth.authenticate(basic("bob", "pw"))).as("a removed user is refused").isEmpty();
        assertThat(auth.isAdmin("alice")).isTrue();

        Files.writeString(dir.resolve("users"), "broken line\n");
        auth.reload();
        assertThat(auth.authenticate(basic("alice", "new"))).as("unreadable users keep the last ones").contains("alice");
    }
}
