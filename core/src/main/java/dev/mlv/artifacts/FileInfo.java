package dev.mlv.artifacts;

/** An entry of an artifact listing: {@code path} relative to the listed store root, size null for directories. */
public record FileInfo(String path, boolean isDir, Long fileSize) {
}
