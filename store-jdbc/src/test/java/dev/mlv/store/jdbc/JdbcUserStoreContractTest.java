package dev.mlv.store.jdbc;

import dev.mlv.audit.AuditEvent;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.ResourceType;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.users.PasswordHash;
import dev.mlv.users.User;
import dev.mlv.users.UserStore;
import dev.mlv.users.UserStoreContractTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The user contract in the metadata database, and what only the database adds: every change is an audit event of
 * the registry's chain (never with a hash), and a deleted user's grants go in the same transaction.
 */
abstract class JdbcUserStoreContractTest extends UserStoreContractTest {
    private MetadataStore metadata;

    /** The backend-store URI of a new, empty database. */
    protected abstract String newDatabase(Path dir, List<AutoCloseable> closeAfter);

    @Override
    protected UserStore newStore(Path dir, List<AutoCloseable> closeAfter) {
        metadata = MetadataStores.open(newDatabase(dir, closeAfter), "mlflow-artifacts:/");
        closeAfter.add(0, metadata);
        return metadata.users();
    }

    private List<AuditEvent> eventsOf(String user) {
        return metadata.registry().auditEvents(null, 1000, null).items().stream()
                .filter(e -> e.payload().contains("\"" + user + "\"")).toList();
    }

    @Test
    void everyChangeIsAuditedWithoutTheHash() {
        String name = id + "-audited";
        users.create(User.withPassword(name, "secret", FAST, false), "root");
        users.setPassword(name, PasswordHash.of("secret2", FAST), "root");
        users.setAdmin(name, true, "ops");
        metadata.permissions().create(new Grant(ResourceType.EXPERIMENT, "7", name, Permission.EDIT), "root");
        users.delete(name, "root");

        List<AuditEvent> events = eventsOf(name);
        assertThat(events).extracting(AuditEvent::action)
                .containsExactly("user.create", "user.update", "user.update", "permission.create", "user.delete");
        assertThat(events.get(2).user()).isEqualTo("ops");
        assertThat(events.get(2).payload()).contains("\"is_admin\":true").contains("\"old_is_admin\":false");
        assertThat(events.get(4).payload()).contains("\"EXPERIMENT\":{\"7\":\"EDIT\"}");
        assertThat(events).allSatisfy(e -> assertThat(e.payload()).doesNotContain("pbkdf2"));
        assertThat(metadata.registry().verifyAudit().valid()).isTrue();
        assertThat(metadata.permissions().grantsOf(name)).as("grants removed with the user").isEmpty();
    }
}
