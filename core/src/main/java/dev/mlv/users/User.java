package dev.mlv.users;

import dev.mlv.errors.MlvException;

import java.util.regex.Pattern;

/**
 * A user of a server that authenticates its requests: the name (also MLflow's user id), the stored
 * {@link PasswordHash} (never the password) and whether they are an administrator, who may do everything whatever the
 * permissions say.
 */
public record User(String name, String passwordHash, boolean admin) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@+-]{1,128}");

    public User {
        checkName(name);
        PasswordHash.check(passwordHash);
    }

    /** A user with a new random-salted hash of {@code password}; an empty password is refused. */
    public static User withPassword(String name, String password, int iterations, boolean admin) {
        checkName(name);
        return new User(name, PasswordHash.of(password, iterations), admin);
    }

    /** Whether {@code password} is this user's (constant-time comparison). */
    public boolean matches(String password) {
        return PasswordHash.matches(password, passwordHash);
    }

    /** {@code INVALID_PARAMETER_VALUE} unless {@code name} is 1 to 128 of {@code A-Z a-z 0-9 . _ @ + -}. */
    public static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches()) {
            throw MlvException.invalid("Invalid user name '" + name + "': 1 to 128 letters, digits or . _ @ + -");
        }
        return name;
    }

    @Override
    public String toString() { // never prints the hash
        return "User[" + name + (admin ? ", admin]" : "]");
    }
}
