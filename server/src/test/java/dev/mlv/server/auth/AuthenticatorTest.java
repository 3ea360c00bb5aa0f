package dev.mlv.server.auth;

import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
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
        UsersFile.put(dir.resolve("users"), "alice", "pw", 1_000);
        Authenticator auth = new Authenticator(dir.resolve("users"));
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
        UsersFile.put(dir.resolve("users"), "alice", "pw", 1_000);
        Authenticator auth = new Authenticator(dir.resolve("users"));
        int permits = auth.checks().availablePermits();
        assertThat(auth.authenticate("Basic not-base64!")).isEmpty();
        assertThat(auth.authenticate("Basic " + Base64.getEncoder().encodeToString("no-colon".getBytes()))).isEmpty();
        assertThat(auth.authenticate(basic("nobody", "pw"))).isEmpty();
        assertThat(auth.authenticate("Bearer token")).isEmpty();
        assertThat(auth.checks().availablePermits()).isEqualTo(permits);
    }
}
