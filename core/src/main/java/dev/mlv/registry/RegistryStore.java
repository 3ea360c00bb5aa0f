package dev.mlv.registry;

/**
 * Metadata store of the model registry: registered models, versions, stages, aliases, and their audit events.
 * (Filled in by the model-registry work.)
 */
public interface RegistryStore {
}
