package dev.mlv.tracking;

import dev.mlv.errors.MlvException;

/** Which lifecycle stages a search returns (MLflow's ViewType). */
public enum ViewType {
    ACTIVE_ONLY, DELETED_ONLY, ALL;

    public static ViewType parse(String s) {
        if (s == null || s.isBlank()) return ACTIVE_ONLY;
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw MlvException.invalid("Invalid view type '" + s + "': expected ACTIVE_ONLY, DELETED_ONLY or ALL");
        }
    }

    public boolean includes(LifecycleStage stage) {
        return this == ALL || (this == ACTIVE_ONLY) == (stage == LifecycleStage.ACTIVE);
    }
}
