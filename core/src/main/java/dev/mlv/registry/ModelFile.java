package dev.mlv.registry;

/** One file of a model version as recorded at registration: path relative to the version's source, size, SHA-256 (hex). */
public record ModelFile(String path, long size, String sha256) {
}
