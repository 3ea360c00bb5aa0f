package dev.mlv.serving;

import dev.mlv.client.model.ModelPackage;
import dev.mlv.serving.tribuo.TribuoModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Swapping real ONNX Runtime sessions: each closes once nothing holds it, and nothing is installed after close. */
class ModelSlotTest {
    @Test
    void aSwappedOutModelClosesAfterItsLastUseAndNothingIsInstalledAfterClose(@TempDir Path dir) {
        ModelPackage.write(TribuoModels.toOnnxModel(TestModels.logistic(1, 3)), dir, "0123456789abcdef0123456789abcdef", "model");
        LoadedModel v1 = LoadedModel.load(dir, "m", "1");
        LoadedModel v2 = LoadedModel.load(dir, "m", "2");
        LoadedModel late = LoadedModel.load(dir, "m", "3");
        ModelSlot slot = new ModelSlot();
        slot.swap(v1);
        String seen = slot.withModel(m -> {
            assertThat(slot.swap(v2)).isSameAs(v1);   // swapped while a request holds v1
            assertThat(m.isClosed()).as("in use").isFalse();
            return m.version();
        });
        assertThat(seen).isEqualTo("1");
        assertThat(v1.isClosed()).as("released by its last request").isTrue();
        assertThat(slot.peek()).isSameAs(v2);

        slot.close();
        assertThat(v2.isClosed()).isTrue();
        assertThat(slot.swap(late)).as("a load that finishes after close").isNull();
        assertThat(late.isClosed()).isTrue();
        assertThat(slot.peek()).isNull();
        assertThat(slot.<String>withModel(LoadedModel::version)).isNull();
    }
}
