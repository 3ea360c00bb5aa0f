package dev.mlv.registry;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelUriTest {

    @Test
    void parsesEveryForm() {
        ModelUri v = ModelUri.parse("models:/fraud/3");
        assertThat(v.kind()).isEqualTo(ModelUri.Kind.VERSION);
        assertThat(v.name()).isEqualTo("fraud");
        assertThat(v.version()).isEqualTo("3");
        ModelUri s = ModelUri.parse("models:/fraud/production");
        assertThat(s.kind()).isEqualTo(ModelUri.Kind.STAGE);
        assertThat(s.stage()).isEqualTo(Stage.PRODUCTION);
        assertThat(s.toString()).isEqualTo("models:/fraud/Production");
        assertThat(ModelUri.parse("models:/fraud/Latest").kind()).isEqualTo(ModelUri.Kind.LATEST);
        ModelUri a = ModelUri.parse("models:/my model@champion");
        assertThat(a.kind()).isEqualTo(ModelUri.Kind.ALIAS);
        assertThat(a.name()).isEqualTo("my model");
        assertThat(a.alias()).isEqualTo("champion");
        ModelUri r = ModelUri.parse("runs:/0123456789abcdef0123456789abcdef/model/data");
        assertThat(r.kind()).isEqualTo(ModelUri.Kind.RUN);
        assertThat(r.runId()).isEqualTo("0123456789abcdef0123456789abcdef");
        assertThat(r.path().toString()).isEqualTo("model/data");
        assertThat(ModelUri.parse("models:/fraud/007").version()).isEqualTo("7");
        ModelUri logged = ModelUri.parse("models:/m-0123456789abcdef0123456789abcdef");
        assertThat(logged.kind()).as("MLflow 3: one segment is a logged model id").isEqualTo(ModelUri.Kind.LOGGED_MODEL);
        assertThat(logged.modelId()).isEqualTo("m-0123456789abcdef0123456789abcdef");
        assertThat(logged.toString()).isEqualTo("models:/m-0123456789abcdef0123456789abcdef");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "models:/", "models:/fr aud", "models:/-fraud", "models:/m-%2e%2e", "models:/fraud/", "models:/fraud/Prod", "models:/fraud/0",
            "models:/fraud@latest", "models:/fraud@v2", "models:/fraud@", "models://host/fraud/1", "models:/a/b/c",
            "models:/../1", "models:/a%2Fb/1", "runs:/", "runs:/../x", "runs:/abc/../../etc", "runs:/abc/a%2f..%2f..",
            "runs://host/abc/model", "s3://bucket/model", "models:/fraud/1 ", "models:/x\u0000/1"})
    void rejectsMalformedUris(String uri) {
        assertThatThrownBy(() -> ModelUri.parse(uri)).isInstanceOf(MlvException.class);
    }
}
