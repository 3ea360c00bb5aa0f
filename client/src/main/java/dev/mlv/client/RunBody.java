package dev.mlv.client;

/** The body of a run for {@link MlvClient#run}: may throw, which ends the run FAILED. */
@FunctionalInterface
public interface RunBody<E extends Exception> {
    void accept(ActiveRun run) throws E;
}
