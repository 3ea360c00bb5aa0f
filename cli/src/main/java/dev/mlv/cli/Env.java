package dev.mlv.cli;

/** Flags with {@code MLV_*} environment variables as their defaults, read one way by every command. */
public final class Env {
    private Env() {
    }

    /** {@code value} when it is given, else the environment variable {@code name} (trimmed), else null. */
    public static String orEnv(String value, String name) {
        if (value != null && !value.isBlank()) return value.trim();
        String env = System.getenv(name);
        return env != null && !env.isBlank() ? env.trim() : null;
    }
}
