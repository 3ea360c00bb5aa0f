package dev.mlv.server.auth;

import dev.mlv.data.Digests;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import io.javalin.http.Context;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * HTTP Basic authentication of every request against a {@link UsersFile} ({@code mlv server --auth-file}), as
 * MLflow's basic-auth server does, so that the user recorded in the audit log, and the second user a four-eyes
 * approval needs, are proven rather than claimed:
 * <ul>
 *   <li>{@code /health} and {@code /version} stay open for probes and load balancers;</li>
 *   <li>a missing or wrong credential is 401 {@code UNAUTHENTICATED} with {@code WWW-Authenticate: Basic}, before
 *       any route runs;</li>
 *   <li>the authenticated name is the request's user ({@link #USER_ATTRIBUTE}); {@code X-Mlv-User} is ignored;</li>
 *   <li>a credential is checked with PBKDF2 once, then remembered by a SHA-256 of it (never the password), and so is
 *       a wrong one, so repeating it costs nothing;</li>
 *   <li>at most half the cores check new credentials at a time, and a request waits at most {@value #WAIT_SECONDS} s
 *       for its turn, else 429 {@code REQUEST_LIMIT_EXCEEDED} with {@code Retry-After}: a stream of guesses neither
 *       takes all the CPU nor holds many request threads, and the users already known, whose requests need no check,
 *       go on;</li>
 *   <li>the file is re-read when it changes (looked at once a second at most): users that {@code mlv users add}
 *       adds or changes take effect without a restart.</li>
 * </ul>
 */
public final class Authenticator {
    /** The request attribute that holds the authenticated user name. */
    public static final String USER_ATTRIBUTE = "mlv.user";
    private static final int MAX_REMEMBERED = 10_000;
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;
    static final int WAIT_SECONDS = 2;

    private final Path file;
    private volatile UsersFile users;
    private volatile String stamp;
    private volatile long nextCheck;
    /** SHA-256 of an Authorization header to the user it proved. */
    private final Map<String, String> proven = new ConcurrentHashMap<>();
    /** SHA-256 of the Authorization headers that proved nobody (apart, so that a flood of them evicts no user). */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Permits to run a PBKDF2 check of a credential not remembered yet. */
    private final Semaphore checks = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));

    /** Reads {@code file}; one with no users is refused, since nobody could use the server. */
    public Authenticator(Path file) {
        this.file = file;
        refresh();
        if (users.size() == 0) {
            throw MlvException.invalid("The users file " + file + " has no users: add one with 'mlv users add NAME --auth-file " + file + "'");
        }
    }

    /** A Javalin before-handler: lets the request on with its user set, or answers 401. */
    public void check(Context cx) {
        String path = cx.path();
        if (path.equals("/health") || path.equals("/version")) return;
        Optional<String> user;
        try {
            user = authenticate(cx.header("Authorization"));
        } catch (MlvException busy) {
            cx.header("Retry-After", "1");
            throw busy;
        }
        if (user.isEmpty()) {
            cx.header("WWW-Authenticate", "Basic realm=\"mlv\"");
            throw new MlvException(ErrorCode.UNAUTHENTICATED, "You are not authenticated: send HTTP Basic credentials of a "
                    + "user of this server (MLV_TRACKING_USERNAME and MLV_TRACKING_PASSWORD, or MLflow's "
                    + "MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD)");
        }
        cx.attribute(USER_ATTRIBUTE, user.get());
    }

    /** Re-reads the users file now (after this server changed it), rather than within the next second. */
    public void reload() {
        refresh();
    }

    /** Whether {@code user} is in the users file (as last read). */
    public boolean exists(String user) {
        return users.contains(user);
    }

    /** Whether {@code user} is an administrator in the users file (as last read). */
    public boolean isAdmin(String user) {
        return users.isAdmin(user);
    }

    /** The user an {@code Authorization: Basic …} header proves, if it proves one. */
    Optional<String> authenticate(String header) {
        if (System.nanoTime() - nextCheck > 0) refresh();
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String key = Digests.sha256(header.getBytes(StandardCharsets.UTF_8));
        String known = proven.get(key);
        if (known != null) return Optional.of(known);
        if (refused.contains(key)) return Optional.empty();
        Optional<String> user;
        acquireCheck();
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            user = colon < 0 ? Optional.empty() : users.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            user = Optional.empty();
        } finally {
            checks.release();
        }
        remember(key, user);
        return user;
    }

    private void remember(String key, Optional<String> user) {
        if (user.isPresent()) {
            if (proven.size() >= MAX_REMEMBERED) proven.clear();
            proven.put(key, user.get());
        } else {
            if (refused.size() >= MAX_REMEMBERED) refused.clear();
            refused.add(key);
        }
    }

    private void acquireCheck() {
        try {
            if (checks.tryAcquire(WAIT_SECONDS, TimeUnit.SECONDS)) return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new MlvException(ErrorCode.REQUEST_LIMIT_EXCEEDED, "Too many new credentials are being checked at once; retry in a few seconds");
    }

    /** The permits of new-credential checks (tests hold them to see the limit). */
    Semaphore checks() {
        return checks;
    }

    /** Re-reads the file when its size or modification time changed; a file gone or broken keeps the last users. */
    private synchronized void refresh() {
        nextCheck = System.nanoTime() + CHECK_EVERY_NANOS;
        String now;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            now = a.size() + "@" + a.lastModifiedTime().toMillis() + "@" + a.fileKey();
        } catch (IOException e) {
            if (users == null) throw MlvException.invalid("Cannot read the users file " + file + ": " + e.getMessage());
            return;
        }
        if (now.equals(stamp)) return;
        try {
            users = UsersFile.read(file);
        } catch (RuntimeException e) {
            if (users == null) throw e;
            return;
        }
        stamp = now;
        proven.clear();
        refused.clear();
    }
}
