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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two replicas' caches on one database: each sees its own changes at once and the other's within the time to live. */
class CachedGrantsTest {
    @TempDir
    Path dir;

    @Test
    void ownChangesAreSeenAtOnceAndAnotherReplicasWithinTheTimeToLive() throws Exception {
        try (MetadataStore db = MetadataStores.open("sqlite:///" + dir.resolve("mlv.db").toAbsolutePath(), "mlflow-artifacts:/")) {
            CachedGrants here = new CachedGrants(db.permissions(), CachedGrants.DEFAULT_TTL_MILLIS);
            CachedGrants there = new CachedGrants(db.permissions(), CachedGrants.DEFAULT_TTL_MILLIS);
            assertThat(here.get(EXPERIMENT, "1", "bob")).isEmpty();
            assertThat(there.get(EXPERIMENT, "1", "bob")).isEmpty();

            long changed = System.nanoTime();
            here.create(new Grant(EXPERIMENT, "1", "bob", Permission.EDIT), "alice");
            assertThat(here.get(EXPERIMENT, "1", "bob")).map(Grant::permission).contains(Permission.EDIT);
            boolean stale = there.get(EXPERIMENT, "1", "bob").isEmpty();
            if (System.nanoTime() - changed < CachedGrants.DEFAULT_TTL_MILLIS * 1_000_000 / 2) {
                assertThat(stale).as("the other replica answers from what it remembered").isTrue();
            }

            Thread.sleep(CachedGrants.DEFAULT_TTL_MILLIS + 100);
            assertThat(there.get(EXPERIMENT, "1", "bob")).map(Grant::permission).contains(Permission.EDIT);
            there.delete(EXPERIMENT, "1", "bob", "alice");
            assertThat(there.get(EXPERIMENT, "1", "bob")).isEmpty();

            // without a cache, another replica's change is seen at once
            CachedGrants strict = new CachedGrants(db.permissions(), 0);
            assertThat(strict.get(EXPERIMENT, "1", "bob")).isEmpty();
            here.create(new Grant(EXPERIMENT, "1", "bob", Permission.READ), "alice");
            assertThat(strict.get(EXPERIMENT, "1", "bob")).map(Grant::permission).contains(Permission.READ);
        }
    }

    @Test
    void theTimeToLiveComesFromTheEnvironment() {
        assertThat(CachedGrants.ttlMillis(name -> null)).isEqualTo(CachedGrants.DEFAULT_TTL_MILLIS);
        assertThat(CachedGrants.ttlMillis(name -> name.equals("MLV_AUTH_CACHE_MILLIS") ? " 0 " : null)).isZero();
        assertThatThrownBy(() -> CachedGrants.ttlMillis(name -> "-5")).hasMessageContaining("MLV_AUTH_CACHE_MILLIS");
        assertThatThrownBy(() -> CachedGrants.ttlMillis(name -> "soon")).hasMessageContaining("0 or more");
    }
}
