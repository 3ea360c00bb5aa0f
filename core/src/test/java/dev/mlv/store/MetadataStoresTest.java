package dev.mlv.store;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetadataStoresTest {
    @Test
    void anUnknownSchemeIsRejectedWithoutEchoingThePassword() {
        assertThatThrownBy(() -> MetadataStores.open("mysql://admin:s3cret@db:3306/mlv", "mlflow-artifacts:/"))
                .isInstanceOf(MlvException.class)
                .hasMessageContaining("mysql://admin:***@db:3306/mlv")
                .hasMessageNotContaining("s3cret");
    }

    @Test
    void maskingLeavesUrisWithoutPasswordsAlone() {
        assertThat(MetadataStores.masked("sqlite:////tmp/mlv.db")).isEqualTo("sqlite:////tmp/mlv.db");
        assertThat(MetadataStores.masked("postgresql://u@h/db")).isEqualTo("postgresql://u@h/db");
        assertThat(MetadataStores.masked("postgresql://h/db?user=u&password=p&ssl=true")).isEqualTo("postgresql://h/db?user=u&password=***&ssl=true");
    }
}
