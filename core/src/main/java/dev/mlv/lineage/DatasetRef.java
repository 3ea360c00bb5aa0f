package dev.mlv.lineage;

/** A dataset a run read: its name, content digest, where it came from and in which role ({@code training}, …). */
public record DatasetRef(String name, String digest, String sourceType, String source, String context) {
}
