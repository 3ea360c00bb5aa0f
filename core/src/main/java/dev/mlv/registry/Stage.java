package dev.mlv.registry;

import dev.mlv.errors.MlvException;

import java.util.Locale;

/** MLflow's model-version stages. Parsed case-insensitively; written with MLflow's spelling ({@link #display()}). */
public enum Stage {
    NONE("None"), STAGING("Staging"), PRODUCTION("Production"), ARCHIVED("Archived");

    private final String display;

    Stage(String display) {
        this.display = display;
    }

    /** MLflow's spelling: {@code None}, {@code Staging}, {@code Production}, {@code Archived}. */
    public String display() {
        return display;
    }

    /** The stage named {@code s}, any case; {@code INVALID_PARAMETER_VALUE} otherwise. */
    public static Stage parse(String s) {
        Stage st = find(s);
        if (st == null) {
            throw MlvException.invalid("Invalid Model Version stage: " + s
                    + ". Value must be one of None, Staging, Production, Archived.");
        }
        return st;
    }

    /** The stage named {@code s} (any case), or null. */
    public static Stage find(String s) {
        if (s == null) return null;
        String lower = s.trim().toLowerCase(Locale.ROOT);
        for (Stage st : values()) if (st.display.toLowerCase(Locale.ROOT).equals(lower)) return st;
        return null;
    }

    @Override
    public String toString() {
        return display;
    }
}
