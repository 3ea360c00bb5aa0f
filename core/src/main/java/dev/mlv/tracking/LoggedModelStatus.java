package dev.mlv.tracking;

import dev.mlv.errors.MlvException;

import java.util.Locale;

/** MLflow 3's {@code LoggedModelStatus}: a logged model is PENDING until its files are uploaded, then READY or UPLOAD_FAILED. */
public enum LoggedModelStatus {
    PENDING(1), READY(2), UPLOAD_FAILED(3);

    private final int number;

    LoggedModelStatus(int number) {
        this.number = number;
    }

    /** The proto enum name, e.g. {@code LOGGED_MODEL_READY}. */
    public String wire() {
        return "LOGGED_MODEL_" + name();
    }

    /** The proto enum number (1, 2, 3). */
    public int number() {
        return number;
    }

    /** The status with this proto enum number; {@code INVALID_PARAMETER_VALUE} for any other. */
    public static LoggedModelStatus of(int number) {
        for (LoggedModelStatus s : values()) if (s.number == number) return s;
        throw MlvException.invalid("Unknown model status: " + number);
    }

    /**
     * The status named by its proto name ({@code LOGGED_MODEL_READY}), its short name ({@code READY}, any case) or its
     * number; {@code INVALID_PARAMETER_VALUE} for anything else, including {@code LOGGED_MODEL_STATUS_UNSPECIFIED}.
     */
    public static LoggedModelStatus parse(String text) {
        if (text != null) {
            String t = text.trim().toUpperCase(Locale.ROOT);
            for (LoggedModelStatus s : values()) {
                if (t.equals(s.wire()) || t.equals(s.name()) || t.equals(Integer.toString(s.number))) return s;
            }
        }
        throw MlvException.invalid("Unknown model status: " + text
                + " (expected LOGGED_MODEL_PENDING, LOGGED_MODEL_READY or LOGGED_MODEL_UPLOAD_FAILED)");
    }
}
