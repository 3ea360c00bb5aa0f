package dev.mlv.data;

import dev.mlv.errors.MlvException;

import java.util.Locale;

/**
 * How workspace files are made from cache objects. {@code REFLINK} (the default, as DVC's {@code reflink,copy}) shares
 * blocks copy-on-write where the file system can (Btrfs, XFS, …) and copies otherwise; either way the workspace file is
 * independent of the cache. {@code COPY} always copies (and verifies each object's digest as it does). {@code HARDLINK}
 * and {@code SYMLINK} save the copy but make workspace files read-only views of the cache (editing them in place is
 * refused by the file permissions; replace the file instead).
 */
public enum LinkType {
    COPY, REFLINK, HARDLINK, SYMLINK;

    public static LinkType parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (RuntimeException e) {
            throw MlvException.invalid("Unknown link type '" + s + "': use copy, reflink, hardlink or symlink");
        }
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
