package dev.mlv.client;

/** A run body that returns a value, for {@link MlvClient#call}: may throw, which ends the run FAILED. */
@FunctionalInterface
public interface RunFunction<T, E extends Exception> {
    T apply(ActiveRun run) throws E;
}
