package dev.mlv.store.jdbc;

import dev.mlv.audit.AuditEvent;
import dev.mlv.audit.AuditVerification;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Move;
import dev.mlv.registry.NewModelVersion;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Tag;
import dev.mlv.webhooks.Webhook;
import dev.mlv.webhooks.WebhookDelivery;
import dev.mlv.webhooks.WebhookEvent;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The contract every {@link RegistryStore} backend passes. Subclasses give the store; each test works on its own
 * model names, so one store per class is enough.
 */
public abstract class RegistryStoreContractTest {

    /** A registry store on a fresh, migrated database (may be shared by the tests of one class). */
    protected abstract RegistryStore store();

    private RegistryStore s;
    private String name;

    @BeforeEach
    void setUp() {
        s = store();
        name = "m-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private ModelVersion version(String model, String source) {
        return s.createModelVersion(new NewModelVersion(model, source, null, List.of(), null, null, List.of()), "alice");
    }

    private static ErrorCode code(Runnable r) {
        try {
            r.run();
        } catch (MlvException e) {
            return e.code();
        }
        throw new AssertionError("expected an MlvException");
    }

    @Test
    void createsModelsAndVersionsNumberedPerModel() {
        RegisteredModel m = s.createRegisteredModel(name, List.of(new Tag("team", "fraud")), "first", "alice");
        assertThat(m.name()).isEqualTo(name);
        assertThat(m.tags()).containsExactly(new Tag("team", "fraud"));
        ModelVersion v1 = s.createModelVersion(new NewModelVersion(name, "mlflow-artifacts:/1/abc/artifacts/model", "abc",
                List.of(new Tag("k", "v")), "http://link", "d", List.of(new ModelFile("MLmodel", 3, "a".repeat(64)))), "bob");
        ModelVersion v2 = version(name, "mlflow-artifacts:/x");
        assertThat(v1.version()).isEqualTo("1");
        assertThat(v2.version()).isEqualTo("2");
        assertThat(v1.currentStage()).isEqualTo(Stage.NONE);
        assertThat(v1.status()).isEqualTo("READY");
        assertThat(v1.userId()).isEqualTo("bob");
        assertThat(v1.tags()).containsExactly(new Tag("k", "v"));
        assertThat(s.getModelVersionFiles(name, "1")).containsExactly(new ModelFile("MLmodel", 3, "a".repeat(64)));
        assertThat(s.getModelVersion(name, "1").source()).isEqualTo("mlflow-artifacts:/1/abc/artifacts/model");
        assertThat(code(() -> s.getModelVersion(name, "3"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(code(() -> s.getRegisteredModel(name + "-nope"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(code(() -> version(name + "-nope", "mlflow-artifacts:/x"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        s.deleteModelVersion(name, "2", "alice");
        assertThat(version(name, "mlflow-artifacts:/y").version()).isEqualTo("3");
    }

    @Test
    void duplicateAndCollidingNamesAreRejected() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        assertThat(code(() -> s.createRegisteredModel(name, List.of(), null, "alice"))).isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
        assertThat(code(() -> s.createRegisteredModel(name.toUpperCase(), List.of(), null, "alice")))
                .isEqualTo(ErrorCode.RESOURCE_ALREADY_EXISTS);
        assertThat(code(() -> s.createRegisteredModel(name.replace("-", "%2D"), List.of(), null, "alice")))
                .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(code(() -> s.createRegisteredModel("a/b", List.of(), null, "alice"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(code(() -> s.createRegisteredModel("", List.of(), null, "alice"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
    }

    @Test
    void renameUpdateTagsSearchAndDelete() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        s.setRegisteredModelTag(name, new Tag("owner", "ops"), "alice");
        s.updateRegisteredModel(name, "new description", "alice");
        RegisteredModel r = s.renameRegisteredModel(name, name + "-b", "alice");
        assertThat(r.name()).isEqualTo(name + "-b");
        assertThat(r.description()).isEqualTo("new description");
        assertThat(r.tag("owner")).isEqualTo("ops");
        Page<RegisteredModel> found = s.searchRegisteredModels("name = '" + name + "-b' and tags.owner = 'ops'", 10, List.of(), null);
        assertThat(found.items()).extracting(RegisteredModel::name).containsExactly(name + "-b");
        assertThat(s.searchRegisteredModels("name LIKE '" + name + "%'", 10, List.of("name DESC"), null).items()).hasSize(1);
        s.deleteRegisteredModelTag(name + "-b", "owner", "alice");
        assertThat(s.getRegisteredModel(name + "-b").tags()).isEmpty();
        s.deleteRegisteredModel(name + "-b", "alice");
        assertThat(code(() -> s.getRegisteredModel(name + "-b"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void searchPagesThroughModelsAndVersions() {
        for (int i = 0; i < 5; i++) s.createRegisteredModel(name + "-" + i, List.of(), null, "alice");
        for (int i = 0; i < 3; i++) version(name + "-0", "mlflow-artifacts:/v" + i);
        List<String> seen = new ArrayList<>();
        String token = null;
        do {
            Page<RegisteredModel> p = s.searchRegisteredModels("name LIKE '" + name + "-%'", 2, List.of(), token);
            p.items().forEach(m -> seen.add(m.name()));
            token = p.nextPageToken();
        } while (token != null);
        assertThat(seen).containsExactly(name + "-0", name + "-1", name + "-2", name + "-3", name + "-4");
        assertThat(s.searchRegisteredModels("name LIKE '" + name.toUpperCase() + "-%'", 10, List.of(), null).items()).isEmpty();
        assertThat(s.searchRegisteredModels("name ILIKE '" + name.toUpperCase() + "-%'", 10, List.of(), null).items()).hasSize(5);
        assertThat(s.searchRegisteredModels("name LIKE '" + name + "\\_%'", 10, List.of(), null).items()).isEmpty();
        Page<ModelVersion> vs = s.searchModelVersions("name = '" + name + "-0'", 2, List.of(), null);
        assertThat(vs.items()).extracting(ModelVersion::version).containsExactly("3", "2");
        assertThat(s.searchModelVersions("name = '" + name + "-0'", 2, List.of(), vs.nextPageToken()).items())
                .extracting(ModelVersion::version).containsExactly("1");
        assertThat(s.searchModelVersions("source_path = 'mlflow-artifacts:/v1'", 10, List.of(), null).items()).hasSize(1);
    }

    @Test
    void transitionsWithArchiveExistingAndLatestVersions() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        for (int i = 0; i < 3; i++) version(name, "mlflow-artifacts:/v" + i);
        s.transitionStage(name, "1", Stage.PRODUCTION, false, "alice", null);
        s.transitionStage(name, "2", Stage.PRODUCTION, false, "alice", null);
        assertThat(s.getLatestVersions(name, List.of(Stage.PRODUCTION))).extracting(ModelVersion::version).containsExactly("2");
        s.transitionStage(name, "3", Stage.PRODUCTION, true, "alice", "better");
        assertThat(s.getModelVersion(name, "1").currentStage()).isEqualTo(Stage.ARCHIVED);
        assertThat(s.getModelVersion(name, "2").currentStage()).isEqualTo(Stage.ARCHIVED);
        assertThat(s.getLatestVersions(name, List.of())).extracting(v -> v.currentStage() + ":" + v.version())
                .containsExactly("Production:3", "Archived:2");
        List<Move> prod = s.history(name, Move.STAGE, "Production");
        assertThat(prod).extracting(m -> m.fromVersion() + "->" + m.toVersion()).containsExactly("2->3", "1->2", "null->1");
        assertThat(prod.get(0).reason()).isEqualTo("better");
    }

    @Test
    void aliasesSetMoveDeleteAndReservedNames() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        version(name, "mlflow-artifacts:/a");
        version(name, "mlflow-artifacts:/b");
        s.setAlias(name, "champion", "1", "alice", null);
        s.setAlias(name, "champion", "2", "bob", "retrained");
        assertThat(s.getModelVersionByAlias(name, "champion").version()).isEqualTo("2");
        assertThat(s.getModelVersion(name, "2").aliases()).containsExactly("champion");
        assertThat(s.getRegisteredModel(name).aliases()).containsEntry("champion", "2");
        for (String bad : List.of("latest", "LATEST", "v1", "V12", "a b", "x/y", "a".repeat(256), "")) {
            assertThat(code(() -> s.setAlias(name, bad, "1", "alice", null))).as(bad).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        assertThat(code(() -> s.setAlias(name, "ok", "9", "alice", null))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        s.deleteAlias(name, "champion", "alice", null);
        assertThat(code(() -> s.getModelVersionByAlias(name, "champion"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(s.history(name, Move.ALIAS, "champion")).extracting(m -> m.fromVersion() + "->" + m.toVersion())
                .containsExactly("2->null", "1->2", "null->1");
    }

    @Test
    void rollbackTwiceReturnsToWhereItStarted() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        for (int i = 0; i < 3; i++) version(name, "mlflow-artifacts:/v" + i);
        assertThat(code(() -> s.rollback(name, Move.STAGE, "Production", "alice", null))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        s.transitionStage(name, "1", Stage.PRODUCTION, true, "alice", null);
        assertThat(code(() -> s.rollback(name, Move.STAGE, "Production", "alice", null))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        s.transitionStage(name, "2", Stage.PRODUCTION, true, "alice", null);
        s.transitionStage(name, "3", Stage.PRODUCTION, true, "alice", null);
        RegistryStore.Rollback r1 = s.rollback(name, Move.STAGE, "production", "carol", "bad metrics");
        assertThat(r1.modelVersion().version()).isEqualTo("2");
        assertThat(r1.move().fromVersion()).isEqualTo("3");
        assertThat(r1.move().toVersion()).isEqualTo("2");
        assertThat(r1.move().user()).isEqualTo("carol");
        assertThat(s.getLatestVersions(name, List.of(Stage.PRODUCTION)).get(0).version()).isEqualTo("2");
        assertThat(s.getModelVersion(name, "3").currentStage()).isEqualTo(Stage.ARCHIVED);
        RegistryStore.Rollback r2 = s.rollback(name, Move.STAGE, "Production", "carol", "undo");
        assertThat(r2.modelVersion().version()).isEqualTo("3");
        assertThat(s.getModelVersion(name, "3").currentStage()).isEqualTo(Stage.PRODUCTION);
        assertThat(s.getModelVersion(name, "2").currentStage()).isEqualTo(Stage.ARCHIVED);
        assertThat(s.getModelVersion(name, "1").currentStage()).isEqualTo(Stage.ARCHIVED);

        s.setAlias(name, "champion", "1", "alice", null);
        s.setAlias(name, "champion", "3", "alice", null);
        assertThat(s.rollback(name, Move.ALIAS, "champion", "bob", null).modelVersion().version()).isEqualTo("1");
        assertThat(s.rollback(name, Move.ALIAS, "champion", "bob", null).modelVersion().version()).isEqualTo("3");
        assertThat(s.verifyAudit().valid()).isTrue();
    }

    @Test
    void fourEyesNeedsADifferentApprover() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        version(name, "mlflow-artifacts:/a");
        s.requestTransition(name, "1", Stage.PRODUCTION, false, "alice", "ready");
        assertThat(s.pendingTransitions(name)).hasSize(1);
        MlvException denied = (MlvException) catchThrowable(() -> s.approveTransition(name, "1", Stage.PRODUCTION, "alice", null));
        assertThat(denied.code()).isEqualTo(ErrorCode.PERMISSION_DENIED);
        assertThat(s.getModelVersion(name, "1").currentStage()).isEqualTo(Stage.NONE);
        ModelVersion v = s.approveTransition(name, "1", Stage.PRODUCTION, "bob", "checked");
        assertThat(v.currentStage()).isEqualTo(Stage.PRODUCTION);
        assertThat(s.pendingTransitions(name)).isEmpty();
        assertThat(code(() -> s.approveTransition(name, "1", Stage.PRODUCTION, "bob", null))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    private static Throwable catchThrowable(Runnable r) {
        try {
            r.run();
        } catch (Throwable t) {
            return t;
        }
        throw new AssertionError("expected an exception");
    }

    @Test
    void everyMutationIsAuditedInAChainAndAFailedOneLeavesNothing() {
        s.createRegisteredModel(name, List.of(), null, "alice");
        version(name, "mlflow-artifacts:/a");
        s.transitionStage(name, "1", Stage.STAGING, false, "bob", "try it");
        assertThatThrownBy(() -> s.setAlias(name, "latest", "1", "alice", null)).isInstanceOf(MlvException.class);
        assertThatThrownBy(() -> s.transitionStage(name, "7", Stage.STAGING, false, "bob", null)).isInstanceOf(MlvException.class);
        List<AuditEvent> events = s.auditEvents(name, 100, null).items();
        assertThat(events).extracting(AuditEvent::action)
                .containsExactly("registered_model.create", "model_version.create", "model_version.transition_stage");
        AuditEvent t = events.get(2);
        assertThat(t.user()).isEqualTo("bob");
        assertThat(t.version()).isEqualTo("1");
        assertThat(t.payload()).contains("\"from\":\"None\"").contains("\"to\":\"Staging\"").contains("\"reason\":\"try it\"");
        assertThat(events.get(1).prevHash()).isEqualTo(events.get(0).hash());
        Page<AuditEvent> first = s.auditEvents(name, 2, null);
        assertThat(first.items()).hasSize(2);
        assertThat(s.auditEvents(name, 2, first.nextPageToken()).items()).extracting(AuditEvent::action)
                .containsExactly("model_version.transition_stage");
        AuditVerification ok = s.verifyAudit();
        assertThat(ok.valid()).isTrue();
        assertThat(ok.eventsChecked()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void concurrentPromotionsSerialize() throws Exception {
        s.createRegisteredModel(name, List.of(), null, "alice");
        version(name, "mlflow-artifacts:/a");
        version(name, "mlflow-artifacts:/b");
        int rounds = 20;
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < rounds; round++) {
                CyclicBarrier barrier = new CyclicBarrier(2);
                List<Future<?>> fs = new ArrayList<>();
                for (String v : List.of("1", "2")) {
                    fs.add(pool.submit(() -> {
                        barrier.await();
                        return s.transitionStage(name, v, Stage.PRODUCTION, true, "user" + v, null);
                    }));
                }
                for (Future<?> f : fs) f.get();
                List<ModelVersion> prod = s.getLatestVersions(name, List.of(Stage.PRODUCTION));
                assertThat(prod).hasSize(1);
                long inProd = s.searchModelVersions("name = '" + name + "'", 10, List.of(), null).items().stream()
                        .filter(v -> v.currentStage() == Stage.PRODUCTION).count();
                assertThat(inProd).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(s.history(name, Move.STAGE, "Production")).extracting(Move::toVersion).contains("1", "2");
        assertThat(s.verifyAudit().valid()).isTrue();
    }

    private int webhookCount() {
        return s.listWebhooks(10_000, null).items().size();
    }

    @Test
    void webhooksAreKeptWithAuditedChangesThatNeverShowTheSecret() {
        Webhook w = s.createWebhook(new Webhook.Spec(name + "-ci", "deploy on promotion", "https://ci.example.com/hook",
                List.of(WebhookEvent.MODEL_VERSION_ALIAS_CREATED, WebhookEvent.MODEL_VERSION_CREATED,
                        WebhookEvent.MODEL_VERSION_CREATED), "s3cret-value", null), "alice");
        assertThat(w.id()).isNotBlank();
        assertThat(w.active()).isTrue();
        assertThat(w.events()).containsExactly(WebhookEvent.MODEL_VERSION_ALIAS_CREATED, WebhookEvent.MODEL_VERSION_CREATED);
        assertThat(s.getWebhook(w.id())).isEqualTo(w);

        Webhook disabled = s.updateWebhook(w.id(), new Webhook.Spec(null, null, null,
                List.of(WebhookEvent.REGISTERED_MODEL_CREATED), "", false), "bob");
        assertThat(disabled.name()).isEqualTo(w.name());
        assertThat(disabled.url()).isEqualTo(w.url());
        assertThat(disabled.secret()).isNull();
        assertThat(disabled.active()).isFalse();
        assertThat(disabled.events()).containsExactly(WebhookEvent.REGISTERED_MODEL_CREATED);
        assertThat(disabled.creationTimestamp()).isEqualTo(w.creationTimestamp());
        Webhook renamed = s.updateWebhook(w.id(), new Webhook.Spec(name + "-cd", null, null, null, null, true), "bob");
        assertThat(renamed.events()).containsExactly(WebhookEvent.REGISTERED_MODEL_CREATED);

        s.deleteWebhook(w.id(), "carol");
        assertThat(code(() -> s.getWebhook(w.id()))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(code(() -> s.deleteWebhook(w.id(), "carol"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(code(() -> s.updateWebhook(w.id(), new Webhook.Spec("x", null, null, null, null, null), "carol")))
                .isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);

        List<AuditEvent> events = new ArrayList<>();
        for (String token = null; ; ) {
            Page<AuditEvent> page = s.auditEvents(null, 1000, token);
            events.addAll(page.items());
            if ((token = page.nextPageToken()) == null) break;
        }
        List<AuditEvent> mine = events.stream().filter(e -> e.payload().contains(w.id())).toList();
        assertThat(mine).extracting(AuditEvent::action).containsExactly("webhook.create", "webhook.update", "webhook.update", "webhook.delete");
        assertThat(mine).extracting(AuditEvent::user).containsExactly("alice", "bob", "bob", "carol");
        assertThat(mine).noneMatch(e -> e.payload().contains("s3cret-value"));
        assertThat(mine.get(0).payload()).contains("\"signed\":true");
        assertThat(s.verifyAudit().valid()).isTrue();
    }

    @Test
    void webhooksArePagedNewestFirst() throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(s.createWebhook(new Webhook.Spec(name + i, null, "http://hooks.example.com/" + i,
                    List.of(WebhookEvent.MODEL_VERSION_TAG_SET), null, i != 1), "alice").id());
            Thread.sleep(3); // distinct creation times: the same millisecond orders by id
        }
        List<String> seen = new ArrayList<>();
        for (String token = null; ; ) {
            Page<Webhook> page = s.listWebhooks(2, token);
            assertThat(page.items().size()).isLessThanOrEqualTo(2);
            page.items().forEach(x -> seen.add(x.id()));
            if ((token = page.nextPageToken()) == null) break;
        }
        assertThat(seen).containsSubsequence(ids.get(2), ids.get(1), ids.get(0)).doesNotHaveDuplicates();
        assertThat(code(() -> s.listWebhooks(2, "not-a-token"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        ids.forEach(id -> s.deleteWebhook(id, "alice"));
    }

    @Test
    void invalidWebhooksAreRefusedAndNothingIsWritten() {
        int before = webhookCount();
        List<WebhookEvent> events = List.of(WebhookEvent.MODEL_VERSION_CREATED);
        for (Webhook.Spec bad : List.of(
                new Webhook.Spec(null, null, "https://ci.example.com", events, null, null),
                new Webhook.Spec(" ", null, "https://ci.example.com", events, null, null),
                new Webhook.Spec("x".repeat(257), null, "https://ci.example.com", events, null, null),
                new Webhook.Spec(name, null, null, events, null, null),
                new Webhook.Spec(name, null, "ftp://ci.example.com/x", events, null, null),
                new Webhook.Spec(name, null, "file:///etc/passwd", events, null, null),
                new Webhook.Spec(name, null, "/relative/path", events, null, null),
                new Webhook.Spec(name, null, "https://ci.example.com/" + "a".repeat(2048), events, null, null),
                new Webhook.Spec(name, null, "https://ci.example.com", List.of(), null, null),
                new Webhook.Spec(name, "d".repeat(5001), "https://ci.example.com", events, null, null),
                new Webhook.Spec(name, null, "https://ci.example.com", events, "s".repeat(2001), null))) {
            assertThat(code(() -> s.createWebhook(bad, "alice"))).as(bad.toString()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        }
        Webhook w = s.createWebhook(new Webhook.Spec(name, null, "https://ci.example.com", events, null, null), "alice");
        assertThat(code(() -> s.updateWebhook(w.id(), new Webhook.Spec(null, null, "gopher://x", null, null, null), "alice")))
                .isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(s.getWebhook(w.id())).isEqualTo(w);
        assertThat(webhookCount()).isEqualTo(before + 1);
        s.deleteWebhook(w.id(), "alice");
        assertThat(webhookCount()).isEqualTo(before);
    }

    private List<WebhookDelivery> deliveries(String webhookId) {
        return s.webhookDeliveries(webhookId, 1000, null).items();
    }

    @Test
    void registryChangesQueueOneDeliveryPerSubscribedActiveWebhook() {
        Webhook all = s.createWebhook(new Webhook.Spec(name + "-all", null, "https://ci.example.com/all",
                List.of(WebhookEvent.values()), null, null), "alice");
        Webhook off = s.createWebhook(new Webhook.Spec(name + "-off", null, "https://ci.example.com/off",
                List.of(WebhookEvent.values()), null, false), "alice");
        Webhook tags = s.createWebhook(new Webhook.Spec(name + "-tags", null, "https://ci.example.com/tags",
                List.of(WebhookEvent.MODEL_VERSION_TAG_SET), null, null), "alice");
        s.createRegisteredModel(name, List.of(new Tag("team", "risk")), "fraud", "alice");
        s.createModelVersion(new NewModelVersion(name, "mlflow-artifacts:/a", "run1", List.of(), null, "first", List.of()), "alice");
        version(name, "mlflow-artifacts:/b");
        s.setModelVersionTag(name, "1", new Tag("validated", "yes"), "alice");
        s.deleteModelVersionTag(name, "1", "validated", "alice");
        s.setAlias(name, "champion", "1", "alice", null);
        s.setAlias(name, "champion", "2", "alice", null);
        s.rollback(name, Move.ALIAS, "champion", "alice", "bad");
        s.deleteAlias(name, "champion", "alice", null);
        s.transitionStage(name, "1", Stage.PRODUCTION, false, "alice", null); // no MLflow event for stages

        List<WebhookDelivery> got = new ArrayList<>(deliveries(all.id()));
        java.util.Collections.reverse(got); // oldest first
        assertThat(got).extracting(d -> d.event().toString()).containsExactly("registered_model.created",
                "model_version.created", "model_version.created", "model_version_tag.set", "model_version_tag.deleted",
                "model_version_alias.created", "model_version_alias.created", "model_version_alias.created",
                "model_version_alias.deleted");
        assertThat(got).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(WebhookDelivery.Status.PENDING);
            assertThat(d.attempts()).isZero();
            assertThat(d.webhookId()).isEqualTo(all.id());
        });
        assertThat(got).extracting(WebhookDelivery::id).doesNotHaveDuplicates();
        assertThat(got.get(0).data()).isEqualTo("{\"name\":\"" + name + "\",\"tags\":{\"team\":\"risk\"},\"description\":\"fraud\"}");
        assertThat(got.get(1).data()).isEqualTo("{\"name\":\"" + name + "\",\"version\":\"1\",\"source\":\"mlflow-artifacts:/a\","
                + "\"run_id\":\"run1\",\"tags\":{},\"description\":\"first\"}");
        assertThat(got.subList(5, 9)).extracting(WebhookDelivery::data).containsExactly(
                "{\"name\":\"" + name + "\",\"alias\":\"champion\",\"version\":\"1\"}",
                "{\"name\":\"" + name + "\",\"alias\":\"champion\",\"version\":\"2\"}",
                "{\"name\":\"" + name + "\",\"alias\":\"champion\",\"version\":\"1\"}",
                "{\"name\":\"" + name + "\",\"alias\":\"champion\"}");
        assertThat(deliveries(off.id())).isEmpty();
        assertThat(deliveries(tags.id())).extracting(WebhookDelivery::event).containsExactly(WebhookEvent.MODEL_VERSION_TAG_SET);

        // a failed change queues nothing
        assertThat(code(() -> s.setModelVersionTag(name, "9", new Tag("k", "v"), "alice"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        assertThat(deliveries(tags.id())).hasSize(1);
        for (Webhook w : List.of(all, off, tags)) s.deleteWebhook(w.id(), "alice");
        assertThat(code(() -> s.webhookDeliveries(all.id(), 10, null))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
    }

    @Test
    void aDeliveryIsHeldByOneClaimAtATimeUntilItsOutcomeIsRecorded() throws Exception {
        Webhook w = s.createWebhook(new Webhook.Spec(name, null, "https://ci.example.com/hook",
                List.of(WebhookEvent.REGISTERED_MODEL_CREATED), null, null), "alice");
        s.createRegisteredModel(name, List.of(), null, "alice");
        String id = deliveries(w.id()).get(0).id();
        java.util.function.Function<List<WebhookDelivery>, List<String>> mine = ds -> ds.stream()
                .filter(d -> d.webhookId().equals(w.id())).map(WebhookDelivery::id).toList();

        assertThat(mine.apply(s.claimWebhookDeliveries("a-1", 100, 60_000))).containsExactly(id);
        assertThat(mine.apply(s.claimWebhookDeliveries("b-1", 100, 60_000))).as("held by a-1").isEmpty();
        s.recordWebhookAttempt(id, "b-1", true, 200, null, null); // not b-1's: no effect
        assertThat(deliveries(w.id()).get(0).status()).isEqualTo(WebhookDelivery.Status.PENDING);

        s.recordWebhookAttempt(id, "a-1", false, 503, "HTTP 503", System.currentTimeMillis() + 60_000);
        WebhookDelivery retrying = deliveries(w.id()).get(0);
        assertThat(retrying.status()).isEqualTo(WebhookDelivery.Status.PENDING);
        assertThat(retrying.attempts()).isEqualTo(1);
        assertThat(retrying.lastStatus()).isEqualTo(503);
        assertThat(retrying.lastError()).isEqualTo("HTTP 503");
        assertThat(mine.apply(s.claimWebhookDeliveries("c-1", 100, 60_000))).as("not due for a minute").isEmpty();

        s.recordWebhookAttempt(id, "nobody", false, null, null, null);
        // a lease that ran out frees the delivery for another claim
        s.createRegisteredModel(name + "-2", List.of(), null, "alice");
        String second = deliveries(w.id()).get(0).id();
        assertThat(mine.apply(s.claimWebhookDeliveries("d-1", 100, 1))).containsExactly(second);
        Thread.sleep(20);
        assertThat(mine.apply(s.claimWebhookDeliveries("e-1", 100, 60_000))).containsExactly(second);
        s.recordWebhookAttempt(second, "d-1", true, 200, null, null); // d-1's lease is gone: no effect
        s.recordWebhookAttempt(second, "e-1", false, 410, "HTTP 410", null);
        WebhookDelivery failed = deliveries(w.id()).get(0);
        assertThat(failed.status()).isEqualTo(WebhookDelivery.Status.FAILED);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(mine.apply(s.claimWebhookDeliveries("f-1", 100, 60_000))).isEmpty();

        // a finished delivery can be queued again, audited; a pending one cannot
        WebhookDelivery again = s.redeliverWebhookDelivery(second, "bob");
        assertThat(again.status()).isEqualTo(WebhookDelivery.Status.PENDING);
        assertThat(again.attempts()).isZero();
        assertThat(mine.apply(s.claimWebhookDeliveries("g-1", 100, 60_000))).containsExactly(second);
        assertThat(code(() -> s.redeliverWebhookDelivery(second, "bob"))).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE);
        assertThat(code(() -> s.redeliverWebhookDelivery("no-such-delivery", "bob"))).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST);
        Page<AuditEvent> audit = s.auditEvents(null, 100_000, null);
        assertThat(audit.items().get(audit.items().size() - 1).action()).isEqualTo("webhook.redeliver");
        assertThat(audit.items().get(audit.items().size() - 1).payload()).contains(second, "\"was\":\"FAILED\"");
        s.deleteWebhook(w.id(), "alice");
    }

    @Test
    void concurrentClaimsNeverShareADelivery() throws Exception {
        Webhook w = s.createWebhook(new Webhook.Spec(name, null, "https://ci.example.com/hook",
                List.of(WebhookEvent.REGISTERED_MODEL_CREATED), null, null), "alice");
        for (int i = 0; i < 30; i++) s.createRegisteredModel(name + "-" + i, List.of(), null, "alice");
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            CyclicBarrier barrier = new CyclicBarrier(3);
            List<Future<List<String>>> claims = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                String owner = "owner-" + t;
                claims.add(pool.submit(() -> {
                    barrier.await();
                    List<String> ids = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        s.claimWebhookDeliveries(owner + "-" + round, 4, 60_000).stream()
                                .filter(d -> d.webhookId().equals(w.id())).forEach(d -> ids.add(d.id()));
                    }
                    return ids;
                }));
            }
            List<String> all = new ArrayList<>();
            for (Future<List<String>> f : claims) all.addAll(f.get());
            // a claim that lost a race for some rows returns fewer (PostgreSQL re-checks a row another claim took):
            // what is left goes to the next claim
            s.claimWebhookDeliveries("last", 100, 60_000).stream().filter(d -> d.webhookId().equals(w.id()))
                    .forEach(d -> all.add(d.id()));
            assertThat(all).doesNotHaveDuplicates().hasSize(30);
        } finally {
            pool.shutdownNow();
        }
        s.deleteWebhook(w.id(), "alice");
    }
}
