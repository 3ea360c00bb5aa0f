package dev.mlv.server.auth;

import dev.mlv.data.Digests;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.users.User;
import dev.mlv.users.UserStore;
import io.javalin.http.Context;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * HTTP Basic authentication of every request against a {@link UserStore} (the metadata database with
 * {@code mlv server --auth}, a users file with {@code --auth-file}), as MLflow's basic-auth server does, so that the
 * user recorded in the audit log, and the second user a four-eyes approval needs, are proven rather than claimed:
 * <ul>
 *   <li>{@code /health} and {@code /version} stay open for probes and load balancers;</li>
 *   <li>a missing or wrong credential is 401 {@code UNAUTHENTICATED} with {@code WWW-Authenticate: Basic}, before
 *       any route runs;</li>
 *   <li>the authenticated name is the request's user ({@link #USER_ATTRIBUTE}); {@code X-Mlv-User} is ignored;</li>
 *   <li>a credential is checked with PBKDF2 once, then remembered by a SHA-256 of it (never the password), and so is
 *       a wrong one, so repeating it costs nothing; an unknown name costs the same PBKDF2 computation as a known one,
 *       so the time of a refusal does not tell which names exist;</li>
 *   <li>at most half the cores check new credentials at a time, and a request waits at most {@value #WAIT_SECONDS} s
 *       for its turn, else 429 {@code REQUEST_LIMIT_EXCEEDED} with {@code Retry-After}: a stream of guesses neither
 *       takes all the CPU nor holds many request threads, and the users already known, whose requests need no check,
 *       go on;</li>
 *   <li>the users are read again once a second at most, and what is remembered is forgotten when they changed: users
 *       added, changed or removed (by {@code mlv users}, or on another replica) take effect within a second, without
 *       a restart. When they cannot be read (database down, file broken), the last users read stay.</li>
 * </ul>
 */
public final class Authenticator {
    /** The request attribute that holds the authenticated user name. */
    public static final String USER_ATTRIBUTE = "mlv.user";
    private static final int MAX_REMEMBERED = 10_000;
    private static final long CHECK_EVERY_NANOS = 1_000_000_000L;
    static final int WAIT_SECONDS = 2;

    private final UserStore store;
    private volatile Map<String, User> users;
    private volatile long nextCheck;
    /** SHA-256 of an Authorization header to the user it proved. */
    private final Map<String, String> proven = new ConcurrentHashMap<>();
    /** SHA-256 of the Authorization headers that proved nobody (apart, so that a flood of them evicts no user). */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
    /** Permits to run a PBKDF2 check of a credential not remembered yet. */
    private final Semaphore checks = new Semaphore(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
    private final ReentrantLock refreshing = new ReentrantLock();

    /**
     * Reads the users of {@code store}; a store with none is refused, since nobody could use the server, with
     * {@code addHint} (how to add one) in the message.
     */
    public Authenticator(UserStore store, String addHint) {
        this.store = store;
        refresh();
        if (users.isEmpty()) throw MlvException.invalid("There are no users yet: " + addHint);
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

    /** The users this server authenticates against (changes go through it, then {@link #reload}). */
    public UserStore store() {
        return store;
    }

    /** Reads the users again now (after this server changed them), rather than within the next second. */
    public void reload() {
        refreshing.lock();
        try {
            refresh();
        } finally {
            refreshing.unlock();
        }
    }

    /** Whether {@code user} is a user and an administrator (as last read). */
    public boolean isAdmin(String user) {
        User u = users.get(user);
        return u != null && u.admin();
    }

    /** The user an {@code Authorization: Basic …} header proves, if it proves one. */
    Optional<String> authenticate(String header) {
        if (System.nanoTime() - nextCheck > 0 && refreshing.tryLock()) { // one reader; the others go on with the last users
            try {
                refresh();
            } finally {
                refreshing.unlock();
            }
        }
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) return Optional.empty();
        String key = Digests.sha256(header.getBytes(StandardCharsets.UTF_8));
        String known = proven.get(key);
        if (known != null) return Optional.of(known);
        if (refused.contains(key)) return Optional.empty();
        Optional<String> user;
        Map<String, User> checkedAgainst = users;
        acquireCheck();
        try {
            String decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            user = colon < 0 ? Optional.empty() : check(checkedAgainst, decoded.substring(0, colon), decoded.substring(colon + 1));
        } catch (IllegalArgumentException e) {
            user = Optional.empty();
        } finally {
            checks.release();
        }
        remember(key, user, checkedAgainst);
        return user;
    }

    private static Optional<String> check(Map<String, User> now, String name, String password) {
        User u = now.get(name);
        if (u == null) { // the same work as for a known name
            now.values().stream().findFirst().ifPresent(any -> any.matches(password));
            return Optional.empty();
        }
        return u.matches(password) ? Optional.of(name) : Optional.empty();
    }

    /**
     * Remembers the answer of a check against {@code checkedAgainst}, unless the users changed meanwhile (a password
     * changed or a user removed while the check ran must not be remembered as it was).
     */
    private synchronized void remember(String key, Optional<String> user, Map<String, User> checkedAgainst) {
        if (users != checkedAgainst) return;
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

    /** Reads the users; when they changed, forgets what was remembered. Unreadable users keep the last ones read. */
    private void refresh() {
        nextCheck = System.nanoTime() + CHECK_EVERY_NANOS;
        Map<String, User> now = new HashMap<>();
        try {
            for (User u : store.list()) now.put(u.name(), u);
        } catch (RuntimeException e) {
            if (users == null) throw e;
            return;
        }
        if (now.equals(users)) return;
        synchronized (this) {
            users = now;
            proven.clear();
            refused.clear();
        }
    }
}
