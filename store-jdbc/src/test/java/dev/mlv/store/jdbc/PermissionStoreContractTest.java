package dev.mlv.store.jdbc;

import dev.mlv.audit.AuditEvent;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.permissions.Grant;
import dev.mlv.permissions.Permission;
import dev.mlv.permissions.PermissionStore;
import dev.mlv.permissions.ResourceType;
import dev.mlv.registry.RegistryStore;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.tracking.Page;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static dev.mlv.permissions.ResourceType.EXPERIMENT;
import static dev.mlv.permissions.ResourceType.REGISTERED_MODEL;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The contract every {@link PermissionStore} passes, with its audit events read back from the registry's chain.
 * Subclasses name the database; one store serves the tests of a class (run one at a time), each test on its own
 * users and resources, so "the audit events since the test began" are exactly the test's.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class PermissionStoreContractTest {

    /**
     * The backend-store URI of a new, empty database; {@code dir} is a temporary directory of the class, and what
     * must be closed after the class's tests goes into {@code closeAfter}.
     */
    protected abstract String newDatabase(Path dir, List<AutoCloseable> closeAfter) throws Exception;

    private final List<AutoCloseable> closeAfter = new ArrayList<>();
    private MetadataStore metadata;
    private PermissionStore p;
    private RegistryStore registry;
    private String id;
    private int auditMark;

    @BeforeAll
    void open(@TempDir Path dir) throws Exception {
        String uri = newDatabase(dir, closeAfter);
        metadata = MetadataStores.open(uri, "mlflow-artifacts:/");
        closeAfter.add(0, metadata);
    }

    @AfterAll
    void close() throws Exception {
        for (AutoCloseable c : closeAfter) c.close();
    }

    @BeforeEach
    void setUp() {
        p = metadata.permissions();
        registry = metadata.registry();
        id = UUID.randomUUID().toString().substring(0, 8);
        auditMark = allEvents().size();
    }

    @AfterEach
    void chainStaysValid() {
        assertThat(registry.verifyAudit().valid()).as("audit chain after the test").isTrue();
    }

    private List<AuditEvent> allEvents() {
        List<AuditEvent> events = new ArrayList<>();
        for (String token = null; ; ) {
            Page<AuditEvent> page = registry.auditEvents(null, 1000, token);
            events.addAll(page.items());
            if ((token = page.nextPageToken()) == null) return events;
        }
    }

    /** The audit events written since the test began. */
    private List<AuditEvent> newEvents() {
        List<AuditEvent> all = allEvents();
        return all.subList(auditMark, all.size());
    }

    private static MlvException error(Runnable r) {
        try {
            r.run();
        } catch (MlvException e) {
            return e;
        }
        throw new AssertionError("expected an MlvException");
    }

    private static ErrorCode code(Runnable r) {
        return error(r).code();
    }

    private static String json(String type, String resource, String user, String permission) {
        return "{\"permission\":\"" + permission + "\",\"resource\":\"" + resource + "\",\"resource_type\":\"" + type
                + "\",\"user\":\"" + user + "\"}";
    }

    @Test
    void grantsAreCreatedReadUpdatedAndDeletedForBothResourceTypes() {
        String bob = "bob." + id;
        String exp = "17" + id;
        String model = "model-" + id;
        for (Grant g : List.of(new Grant(EXPERIMENT, exp, bob, Permission.READ), new Grant(REGISTERED_MODEL, model, bob, Permission.READ))) {
            assertThat(p.get(g.type(), g.resource(), bob)).isEmpty();
            assertThat(p.create(g, "admin")).isEqualTo(g);
            assertThat(p.get(g.type(), g.resource(), bob)).contains(g);
            Grant managed = new Grant(g.type(), g.resource(), bob, Permission.MANAGE);
            assertThat(p.update(managed, "carol")).isEqualTo(managed);
            assertThat(p.get(g.type(), g.resource(), bob)).contains(managed);
            p.delete(g.type(), g.resource(), bob, "dave");
            assertThat(p.get(g.type(), g.resource(), bob)).isEmpty();
        }
        // the other type's grant on the same resource string is another grant
        p.create(new Grant(REGISTERED_MODEL, exp, bob, Permission.EDIT), "admin");
        assertThat(p.get(EXPERIMENT, exp, bob)).isEmpty();
        p.delete(REGISTERED_MODEL, exp, bob, "admin");

        List<AuditEvent> events = newEvents();
        assertThat(events).extracting(AuditEvent::action).containsExactly(
                "permission.create", "permission.update", "permission.delete",
                "permission.create", "permission.update", "permission.delete",
                "permission.create", "permission.delete");
        assertThat(events).extracting(AuditEvent::user)
                .containsExactly("admin", "carol", "dave", "admin", "carol", "dave", "admin", "admin");
        assertThat(events).extracting(AuditEvent::model)
                .containsExactly(null, null, null, model, model, model, exp, exp);
        assertThat(events).extracting(AuditEvent::version).containsOnlyNulls();
        assertThat(events).extracting(AuditEvent::payload).containsExactly(
                json("EXPERIMENT", exp, bob, "READ"),
                "{\"old_permission\":\"READ\"," + json("EXPERIMENT", exp, bob, "MANAGE").substring(1),
                json("EXPERIMENT", exp, bob, "MANAGE"),
                json("REGISTERED_MODEL", model, bob, "READ"),
                "{\"old_permission\":\"READ\"," + json("REGISTERED_MODEL", model, bob, "MANAGE").substring(1),
                json("REGISTERED_MODEL", model, bob, "MANAGE"),
                json("REGISTERED_MODEL", exp, bob, "EDIT"),
                json("REGISTERED_MODEL", exp, bob, "EDIT"));
    }

    @Test
    void aDuplicateCreateIsRejectedAndChangesNothing() {
        String bob = "bob" + id;
        p.create(new Grant(EXPERIMENT, "1" + id, bob, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, "m" + id, bob, Permission.EDIT), "admin");

        MlvException e = error(() -> p.create(new Grant(EXPERIMENT, "1" + id, bob, Permission.MANAGE), "admin"));
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
        assertThat(e.getMessage()).isEqualTo("Experiment permission (experiment_id=1" + id + ", username=" + bob + ") already exists.");
        MlvException m = error(() -> p.create(new Grant(REGISTERED_MODEL, "m" + id, bob, Permission.READ), "admin"));
        assertThat(m.code()).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
        assertThat(m.getMessage()).isEqualTo("Registered model permission (name=m" + id + ", username=" + bob + ") already exists.");

        assertThat(p.get(EXPERIMENT, "1" + id, bob).orElseThrow().permission()).isEqualTo(Permission.READ);
        assertThat(p.get(REGISTERED_MODEL, "m" + id, bob).orElseThrow().permission()).isEqualTo(Permission.EDIT);
        assertThat(newEvents()).extracting(AuditEvent::action).containsExactly("permission.create", "permission.create");
    }

    @Test
    void updatingOrDeletingAMissingGrantIsNotFoundAndWritesNoEvent() {
        String bob = "bob" + id;
        String carol = "carol" + id;
        p.create(new Grant(EXPERIMENT, "1" + id, carol, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, "m" + id, carol, Permission.READ), "admin");
        int before = newEvents().size();

        MlvException e = error(() -> p.update(new Grant(EXPERIMENT, "1" + id, bob, Permission.EDIT), "admin"));
        assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(e.getMessage()).isEqualTo("Experiment permission with experiment_id=1" + id + " and username=" + bob + " not found");
        MlvException m = error(() -> p.delete(REGISTERED_MODEL, "m" + id, bob, "admin"));
        assertThat(m.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(m.getMessage()).isEqualTo("Registered model permission with name=m" + id + " and username=" + bob + " not found");
        assertThat(code(() -> p.delete(EXPERIMENT, "2" + id, carol, "admin"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(code(() -> p.update(new Grant(REGISTERED_MODEL, "1" + id, carol, Permission.EDIT), "admin")))
                .isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);

        assertThat(p.get(EXPERIMENT, "1" + id, bob)).isEmpty();
        assertThat(p.grantsOf(carol)).extracting(Grant::permission).containsExactly(Permission.READ, Permission.READ);
        assertThat(newEvents()).hasSize(before);
    }

    @Test
    void grantsOfListsOneUsersGrantsExperimentsFirstEachByResource() {
        String bob = "bob@" + id;
        String eve = "eve+" + id;
        p.create(new Grant(REGISTERED_MODEL, "b-model", bob, Permission.EDIT), "admin");
        p.create(new Grant(EXPERIMENT, "20", bob, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, "a-model", bob, Permission.MANAGE), "admin");
        p.create(new Grant(REGISTERED_MODEL, "B-model", bob, Permission.READ), "admin");
        p.create(new Grant(EXPERIMENT, "10", bob, Permission.NO_PERMISSIONS), "admin");
        p.create(new Grant(EXPERIMENT, "15", eve, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, "a-model", eve, Permission.READ), "admin");

        assertThat(p.grantsOf(bob)).containsExactly(
                new Grant(EXPERIMENT, "10", bob, Permission.NO_PERMISSIONS),
                new Grant(EXPERIMENT, "20", bob, Permission.READ),
                new Grant(REGISTERED_MODEL, "B-model", bob, Permission.READ),
                new Grant(REGISTERED_MODEL, "a-model", bob, Permission.MANAGE),
                new Grant(REGISTERED_MODEL, "b-model", bob, Permission.EDIT));
        assertThat(p.grantsOf(eve)).containsExactly(
                new Grant(EXPERIMENT, "15", eve, Permission.READ),
                new Grant(REGISTERED_MODEL, "a-model", eve, Permission.READ));
        assertThat(p.grantsOf("nobody" + id)).isEmpty();
        assertThat(p.grantsOf("BOB@" + id)).as("user names are case-sensitive").isEmpty();
    }

    @Test
    void renamingAModelMovesItsGrantsReplacingThoseOnTheNewName() {
        String old = "old-" + id;
        String renamed = "new-" + id;
        String bob = "bob" + id;
        String carol = "carol" + id;
        String dave = "dave" + id;
        p.create(new Grant(REGISTERED_MODEL, old, bob, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, old, carol, Permission.EDIT), "admin");
        p.create(new Grant(REGISTERED_MODEL, renamed, carol, Permission.MANAGE), "admin"); // left from an earlier model
        p.create(new Grant(REGISTERED_MODEL, renamed, dave, Permission.READ), "admin");
        p.create(new Grant(EXPERIMENT, old, bob, Permission.MANAGE), "admin");
        p.create(new Grant(EXPERIMENT, renamed, dave, Permission.EDIT), "admin");
        int before = newEvents().size();

        p.renameModel(old, renamed, "alice");

        assertThat(p.get(REGISTERED_MODEL, renamed, bob).orElseThrow().permission()).isEqualTo(Permission.READ);
        assertThat(p.get(REGISTERED_MODEL, renamed, carol).orElseThrow().permission()).isEqualTo(Permission.EDIT);
        assertThat(p.get(REGISTERED_MODEL, renamed, dave)).isEmpty();
        assertThat(p.get(REGISTERED_MODEL, old, bob)).isEmpty();
        assertThat(p.get(REGISTERED_MODEL, old, carol)).isEmpty();
        assertThat(p.get(EXPERIMENT, old, bob).orElseThrow().permission()).isEqualTo(Permission.MANAGE);
        assertThat(p.get(EXPERIMENT, renamed, dave).orElseThrow().permission()).isEqualTo(Permission.EDIT);

        List<AuditEvent> events = newEvents().subList(before, newEvents().size());
        assertThat(events).hasSize(1);
        AuditEvent e = events.get(0);
        assertThat(e.action()).isEqualTo("permission.update");
        assertThat(e.user()).isEqualTo("alice");
        assertThat(e.model()).isEqualTo(renamed);
        assertThat(e.payload()).isEqualTo("{\"grants\":{\"" + bob + "\":\"READ\",\"" + carol + "\":\"EDIT\"},\"new_name\":\""
                + renamed + "\",\"old_name\":\"" + old + "\",\"replaced\":{\"" + carol + "\":\"MANAGE\",\"" + dave
                + "\":\"READ\"},\"resource\":\"" + renamed + "\",\"resource_type\":\"REGISTERED_MODEL\"}");

        // nothing to move and nothing to replace, or the same name: no change, no event
        p.renameModel("none-" + id, "none2-" + id, "alice");
        p.renameModel(renamed, renamed, "alice");
        assertThat(p.get(REGISTERED_MODEL, renamed, bob)).isPresent();
        assertThat(newEvents()).hasSize(before + 1);
    }

    @Test
    void deleteAllRemovesTheGrantsOfThatResourceOnly() {
        String m = "m-" + id;
        String bob = "bob" + id;
        String carol = "carol" + id;
        p.create(new Grant(REGISTERED_MODEL, m, bob, Permission.READ), "admin");
        p.create(new Grant(REGISTERED_MODEL, m, carol, Permission.MANAGE), "admin");
        p.create(new Grant(REGISTERED_MODEL, m + "-2", bob, Permission.EDIT), "admin");
        p.create(new Grant(EXPERIMENT, m, bob, Permission.READ), "admin");
        int before = newEvents().size();

        p.deleteAll(REGISTERED_MODEL, m, "alice");

        assertThat(p.get(REGISTERED_MODEL, m, bob)).isEmpty();
        assertThat(p.get(REGISTERED_MODEL, m, carol)).isEmpty();
        assertThat(p.grantsOf(bob)).containsExactly(new Grant(EXPERIMENT, m, bob, Permission.READ),
                new Grant(REGISTERED_MODEL, m + "-2", bob, Permission.EDIT));
        List<AuditEvent> events = newEvents().subList(before, newEvents().size());
        assertThat(events).hasSize(1);
        assertThat(events.get(0).action()).isEqualTo("permission.delete");
        assertThat(events.get(0).user()).isEqualTo("alice");
        assertThat(events.get(0).model()).isEqualTo(m);
        assertThat(events.get(0).payload()).isEqualTo("{\"grants\":{\"" + bob + "\":\"READ\",\"" + carol
                + "\":\"MANAGE\"},\"resource\":\"" + m + "\",\"resource_type\":\"REGISTERED_MODEL\"}");

        p.deleteAll(EXPERIMENT, m, "alice");
        assertThat(p.grantsOf(bob)).containsExactly(new Grant(REGISTERED_MODEL, m + "-2", bob, Permission.EDIT));
        assertThat(newEvents().get(newEvents().size() - 1).model()).as("an experiment's event names no model").isNull();

        // nothing left on either: no change, no event
        int after = newEvents().size();
        p.deleteAll(REGISTERED_MODEL, m, "alice");
        p.deleteAll(EXPERIMENT, m, "alice");
        assertThat(newEvents()).hasSize(after);
    }

    @Test
    void invalidResourcesAndUserNamesAreRejectedAndNothingIsStored() {
        String bob = "bob" + id;
        String longest = "r".repeat(JdbcPermissions.MAX_RESOURCE);
        for (String resource : new String[]{null, "", "   ", longest + "x"}) {
            for (ResourceType type : ResourceType.values()) {
                assertThat(code(() -> p.create(new Grant(type, resource, bob, Permission.READ), "admin")))
                        .as("%s %s", type, resource).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(code(() -> p.update(new Grant(type, resource, bob, Permission.READ), "admin")))
                        .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(code(() -> p.delete(type, resource, bob, "admin"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(code(() -> p.get(type, resource, bob))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
                assertThat(code(() -> p.deleteAll(type, resource, "admin"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            }
            assertThat(code(() -> p.renameModel("m" + id, resource, "admin"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(code(() -> p.renameModel(resource, "m" + id, "admin"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        String tooLongUser = "u".repeat(129);
        for (String user : new String[]{null, "", "bob smith", "bob/" + id, "bøb", "bob:" + id, "bob\n", tooLongUser}) {
            assertThat(code(() -> p.create(new Grant(EXPERIMENT, "1" + id, user, Permission.READ), "admin")))
                    .as("user %s", user).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(code(() -> p.update(new Grant(EXPERIMENT, "1" + id, user, Permission.READ), "admin")))
                    .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(code(() -> p.delete(EXPERIMENT, "1" + id, user, "admin"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
            assertThat(code(() -> p.grantsOf(user))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        assertThat(code(() -> p.create(new Grant(EXPERIMENT, "1" + id, bob, null), "admin")))
                .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(code(() -> p.create(new Grant(null, "1" + id, bob, Permission.READ), "admin")))
                .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(error(() -> p.create(new Grant(EXPERIMENT, " ", bob, Permission.READ), "admin")).getMessage())
                .isEqualTo("Missing value for required parameter 'experiment_id'");
        assertThat(error(() -> p.create(new Grant(REGISTERED_MODEL, longest + "x", bob, Permission.READ), "admin")).getMessage())
                .isEqualTo("Registered model name exceeds the maximum length of 256 characters");
        assertThat(error(() -> p.create(new Grant(EXPERIMENT, "1", "bob smith", Permission.READ), "admin")).getMessage())
                .isEqualTo("Invalid username: a username is 1 to 128 of the characters A-Z a-z 0-9 . _ @ + -");
        assertThat(p.grantsOf(bob)).isEmpty();
        assertThat(p.get(EXPERIMENT, "1" + id, "u".repeat(128))).isEmpty();
        assertThat(newEvents()).isEmpty();

        // the limits themselves are allowed
        String widest = "Az09._@+-" + id + "x".repeat(128 - 9 - id.length());
        Grant edge = new Grant(REGISTERED_MODEL, longest, widest, Permission.READ);
        p.create(edge, "admin");
        assertThat(p.grantsOf(widest)).containsExactly(edge);
        p.delete(REGISTERED_MODEL, longest, widest, "admin");
        assertThat(newEvents()).extracting(AuditEvent::action).containsExactly("permission.create", "permission.delete");
    }

    @Test
    void concurrentCreatesOfOneGrantLetExactlyOneSucceed() throws Exception {
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 5; round++) {
                String resource = round % 2 == 0 ? "7" + id + round : "model-" + id + round;
                ResourceType type = round % 2 == 0 ? EXPERIMENT : REGISTERED_MODEL;
                String bob = "bob" + id;
                CyclicBarrier barrier = new CyclicBarrier(threads);
                List<Future<ErrorCode>> outcomes = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    Permission perm = Permission.values()[t];
                    outcomes.add(pool.submit(() -> {
                        barrier.await();
                        try {
                            p.create(new Grant(type, resource, bob, perm), "admin-" + perm);
                            return null;
                        } catch (MlvException e) {
                            return e.code();
                        }
                    }));
                }
                List<ErrorCode> codes = new ArrayList<>();
                for (Future<ErrorCode> f : outcomes) codes.add(f.get());
                assertThat(codes).as("round %d", round).containsOnlyOnce((ErrorCode) null)
                        .filteredOn(c -> c != null).hasSize(threads - 1).containsOnly(ErrorCode.RESOURCE_ALREADY_EXISTS);
                Permission won = p.get(type, resource, bob).orElseThrow().permission();
                List<AuditEvent> creates = newEvents().stream().filter(e -> e.payload().contains("\"" + resource + "\"")).toList();
                assertThat(creates).extracting(AuditEvent::action).containsExactly("permission.create");
                assertThat(creates.get(0).user()).isEqualTo("admin-" + won);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(newEvents()).hasSize(5);
    }
}
