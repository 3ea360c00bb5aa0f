package dev.mlv.tracking;

import dev.mlv.errors.MlvException;

/** MLflow's run statuses. */
public enum RunStatus {
    RUNNING, SCHEDULED, FINISHED, FAILED, KILLED;

    public static RunStatus parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (RuntimeException e) {
            throw MlvException.invalid("Invalid run status '" + s + "': expected one of RUNNING, SCHEDULED, FINISHED, FAILED, KILLED");
        }
    }

    public boolean terminal() {
        return this == FINISHED || this == FAILED || this == KILLED;
    }
}
