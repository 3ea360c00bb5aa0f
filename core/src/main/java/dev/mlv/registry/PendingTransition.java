package dev.mlv.registry;

/** A promotion waiting for a second person's approval (four-eyes rule). */
public record PendingTransition(String name, String version, Stage stage, boolean archiveExistingVersions,
                                String requestedBy, long requestedAt, String reason) {
}
