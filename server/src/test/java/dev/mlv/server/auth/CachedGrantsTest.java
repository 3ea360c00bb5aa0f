package dev.mlv.server.auth;

import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mlv.permissions.ResourceType.EXPERIMENT;
import static org.assertj.core.api.Assertions.assertThat;

/** Two replicas' caches on one database: each sees its own changes at once and the other's within the time to live. */
class CachedGrantsTest {
    @TempDir
    Path dir;

    @Test
    void ownChangesAreSeenAtOnceAndAnotherReplicasWithinTheTimeToLive() throws Exception {
        try (MetadataStore db = MetadataStores.open("sqlite:///" + dir.resolve("mlv.db").toAbsolutePath(), "mlflow-artifacts:/")) {
            CachedGrants here = new CachedGrants(db.permissions());
            CachedGrants there = new CachedGrants(db.permissions());
            assertThat(here.get(EXPERIMENT, "1", "bob")).isEmpty();
            assertThat(there.get(EXPERIMENT, "1", "bob")).isEmpty();

            long changed = System.nanoTime();
            here.create(new Grant(EXPERIMENT, "1", "bob", Permission.EDIT), "alice");
            assertThat(here.get(EXPERIMENT, "1", "bob")).map(Grant::permission).contains(Permission.EDIT);
            boolean stale = there.get(EXPERIMENT, "1", "bob").isEmpty();
            if (System.nanoTime() - changed < CachedGrants.TTL_MILLIS * 1_000_000 / 2) {
                assertThat(stale).as("the other replica answers from what it remembered").isTrue();
            }

            Thread.sleep(CachedGrants.TTL_MILLIS + 100);
            assertThat(there.get(EXPERIMENT, "1", "bob")).map(Grant::permission).contains(Permission.EDIT);
            there.delete(EXPERIMENT, "1", "bob", "alice");
            assertThat(there.get(EXPERIMENT, "1", "bob")).isEmpty();
        }
    }
}
