package dev.mlv.server.lineage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.LocalArtifactStore;
import dev.mlv.errors.ErrorCode;
import dev.mlv.errors.MlvException;
import dev.mlv.lineage.LineageAssembler;
import dev.mlv.lineage.LineageJson;
import dev.mlv.lineage.ModelLineage;
import dev.mlv.registry.ModelFile;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.NewModelVersion;
import dev.mlv.registry.Stage;
import dev.mlv.store.MetadataStore;
import dev.mlv.store.MetadataStores;
import dev.mlv.tracking.Dataset;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.Tag;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LineageAssembler} and {@link LineageJson} over a real SQLite store and a local artifact store. */
class LineageAssemblerTest {
    static final String DIGEST = "9f86d081884c7d659a2feaa0c55ad015";

    @TempDir
    static Path dir;
    static MetadataStore metadata;
    static LocalArtifactStore artifacts;
    static LineageAssembler assembler;

    @BeforeAll
    static void open() {
        metadata = MetadataStores.open("sqlite:///" + dir.resolve("mlv.db").toAbsolutePath(), "mlflow-artifacts:/");
        artifacts = new LocalArtifactStore(dir.resolve("artifacts"));
        ModelUriResolver resolver = new ModelUriResolver(metadata.registry(), metadata.tracking(), artifacts);
        assembler = new LineageAssembler(metadata.registry(), metadata.tracking(), artifacts, resolver);
    }

    @AfterAll
    static void close() {
        if (metadata != null) metadata.close();
    }

    static Run run(String experimentId, List<Tag> tags) {
        Run run = metadata.tracking().createRun(experimentId, "ann", 1_770_000_000_000L, "train", tags);
        metadata.tracking().logBatch(run.info().runId(),
                List.of(new Metric("accuracy", 0.8, 1L, 0), new Metric("accuracy", 0.91, 2L, 1)),
                List.of(new Param("lr", "0.01")), List.of());
        metadata.tracking().logInputs(run.info().runId(), List.of(
                new DatasetInput(new Dataset("eval.csv", "e".repeat(32), "local", "{}", null, null),
                        List.of(new Tag(DatasetInput.CONTEXT_TAG, "eval"))),
                new DatasetInput(new Dataset("train.csv", DIGEST, "local", "{\"uri\":\"train.csv\"}", null, null),
                        List.of(new Tag(DatasetInput.CONTEXT_TAG, "training")))));
        return run;
    }

    static void put(String path, String content) {
        artifacts.put(ArtifactPath.parse(path), new ByteArrayInputStream(content.getBytes(StandardCharsets.UTF_8)));
    }

    static String root(Run run) {
        return run.info().artifactUri().substring("mlflow-artifacts:/".length());
    }

    static ModelVersion register(String name, String runId) {
        try {
            metadata.registry().createRegisteredModel(name, List.of(), null, "ann");
        } catch (MlvException e) {
            if (e.code() != ErrorCode.RESOURCE_ALREADY_EXISTS) throw e;
        }
        String source = runId == null ? "mlflow-artifacts:/models/" + name : "runs:/" + runId + "/model";
        return metadata.registry().createModelVersion(new NewModelVersion(name, source, runId, List.of(), null, null,
                List.of(new ModelFile("model.onnx", 15, "a".repeat(64)))), "bob");
    }

    @Test
    void versionToRunDatasetsCodeEnvironmentAndCheckpointsInEpochOrder() {
        Run run = run("0", List.of(new Tag("mlflow.source.git.commit", "abc123"), new Tag("mlv.source.git.dirty", "true"),
                new Tag("mlv.env.gpu", "none")));
        String root = root(run);
        put(root + "/environment.json", "{\"javaVersion\":\"17.0.15\",\"os\":\"Linux\"}");
        for (int epoch : new int[]{10, 2, 1}) {
            put(root + "/checkpoints/epoch-" + epoch + "/checkpoint.json", "{\"epoch\":" + epoch + ",\"step\":" + epoch + "}");
            put(root + "/checkpoints/epoch-" + epoch + "/weights.bin", "w");
        }
        put(root + "/checkpoints/epoch-11/weights.bin", "partial");  // no checkpoint.json yet: incomplete
        put(root + "/checkpoints/notes/readme.txt", "not a checkpoint");
        register("lineage-a", run.info().runId());
        metadata.registry().transitionStage("lineage-a", "1", Stage.STAGING, false, "bob", null);
        metadata.registry().setAlias("lineage-a", "champion", "1", "bob", null);

        ModelLineage l = assembler.assemble("models:/lineage-a@champion");
        assertThat(l.version().version()).isEqualTo("1");
        assertThat(l.files()).extracting(ModelFile::path).containsExactly("model.onnx");
        assertThat(l.run().info().runId()).isEqualTo(run.info().runId());
        assertThat(l.run().metrics()).containsEntry("accuracy", 0.91);
        assertThat(l.run().params()).containsEntry("lr", "0.01");
        assertThat(l.run().code().gitCommit()).isEqualTo("abc123");
        assertThat(l.run().code().gitDirty()).isTrue();
        assertThat(l.run().environment().path("javaVersion").asText()).isEqualTo("17.0.15");
        assertThat(l.run().environment().path("gpu").asText()).isEqualTo("none");
        assertThat(l.run().checkpoints()).extracting(c -> c.epoch()).containsExactly(1L, 2L, 10L, 11L);
        assertThat(l.run().checkpoints().get(2).details().path("step").asLong()).isEqualTo(10);
        assertThat(l.run().checkpoints().get(3).details()).isNull();
        assertThat(l.notes()).isEmpty();

        ObjectNode meta = LineageJson.metadata(l);
        assertThat(meta.path("model_version").asText()).isEqualTo("v1");
        assertThat(meta.path("stage").asText()).isEqualTo("Staging");
        assertThat(meta.path("aliases").get(0).asText()).isEqualTo("champion");
        assertThat(meta.path("dataset_version").asText()).isEqualTo(DIGEST); // the training one, not the first logged
        assertThat(meta.path("datasets")).hasSize(2);
        assertThat(meta.path("code_commit").asText()).isEqualTo("abc123");
        assertThat(meta.path("registered_by").asText()).isEqualTo("bob");
        assertThat(meta.path("training_date").asText()).isEqualTo("2026-02-02");
        assertThat(meta.path("metrics").path("accuracy").asDouble()).isEqualTo(0.91);

        JsonNode tree = LineageJson.tree(l).path("model_version");
        assertThat(tree.path("files").get(0).path("sha256").asText()).isEqualTo("a".repeat(64));
        JsonNode cps = tree.path("run").path("checkpoints");
        assertThat(cps).hasSize(4);
        assertThat(cps.get(0).path("path").asText()).isEqualTo("checkpoints/epoch-1");
        assertThat(cps.get(3).path("complete").asBoolean()).isFalse();
        assertThat(tree.path("run").path("datasets").get(1).path("digest").asText()).isEqualTo(DIGEST);
    }

    @Test
    void missingPiecesBecomeNotesNotFailures() {
        register("no-run", null);
        ModelLineage noRun = assembler.assemble("models:/no-run/1");
        assertThat(noRun.run()).isNull();
        assertThat(noRun.notes()).singleElement().asString().contains("without a run id");
        assertThat(LineageJson.metadata(noRun).path("code_commit").isNull()).isTrue();

        String experiment = metadata.tracking().createExperiment("external", "s3://bucket/elsewhere", List.of());
        Run external = run(experiment, List.of());
        register("external-run", external.info().runId());
        ModelLineage ext = assembler.assemble("models:/external-run/latest");
        assertThat(ext.run()).isNotNull();
        assertThat(ext.run().checkpoints()).isEmpty();
        assertThat(ext.run().environment()).isNull();
        assertThat(ext.notes()).singleElement().asString().contains("outside this server's artifact store");
    }

    @Test
    void badAndUnknownUris() {
        assertThatThrownBy(() -> assembler.assemble("runs:/0123456789abcdef0123456789abcdef/model"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThatThrownBy(() -> assembler.assemble("models:/x/../y"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_PARAMETER_VALUE));
        assertThatThrownBy(() -> assembler.assemble("models:/nobody/Production"))
                .isInstanceOfSatisfying(MlvException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_DOES_NOT_EXIST));
    }
}
