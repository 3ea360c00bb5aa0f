package dev.mlv.server.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Tag;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogBatchJsonTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static LogBatchJson.Batch parse(String body) {
        return LogBatchJson.parse(body.getBytes(StandardCharsets.UTF_8), JSON);
    }

    @Test
    void readsThePlainFormIntoRecords() {
        LogBatchJson.Batch b = parse("{\"run_id\":\"r1\",\"metrics\":[{\"key\":\"m\",\"value\":0.5,\"timestamp\":7,\"step\":3},"
                + "{\"key\":\"n\",\"value\":2,\"extra\":{\"x\":[1]}}],\"params\":[{\"key\":\"p\",\"value\":\"v\"},{\"key\":\"q\"}],"
                + "\"tags\":[{\"key\":\"t\",\"value\":\"w\"}],\"unknown\":[1,2]}");
        assertThat(b).isNotNull();
        assertThat(b.runId()).isEqualTo("r1");
        assertThat(b.metrics()).containsExactly(new Metric("m", 0.5, 7, 3), new Metric("n", 2.0, 0, 0));
        assertThat(b.params()).containsExactly(new Param("p", "v"), new Param("q", ""));
        assertThat(b.tags()).containsExactly(new Tag("t", "w"));
    }

    @Test
    void runUuidIsTheFallbackAndAbsentListsAreEmpty() {
        LogBatchJson.Batch b = parse("{\"run_id\":\"\",\"run_uuid\":\"r2\"}");
        assertThat(b).isNotNull();
        assertThat(b.runId()).isEqualTo("r2");
        assertThat(b.metrics()).isEmpty();
        assertThat(b.params()).isEmpty();
        assertThat(b.tags()).isEmpty();
    }

    /** Everything else goes to the general reader, which accepts every proto-JSON form and words MLflow's errors. */
    @Test
    void leavesEveryOtherFormToTheGeneralReader() {
        for (String body : List.of("", "  ", "[]", "\"{\\\"run_id\\\":\\\"r\\\"}\"", "{\"run_id\":\"r\"", "{\"run_id\":\"r\"} x",
                "{\"metrics\":[]}", "{\"run_id\":null}", "{\"run_id\":5}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\"}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\",\"value\":\"NaN\"}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\",\"value\":1,\"step\":\"2\"}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\",\"value\":1,\"timestamp\":1.5}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\",\"value\":1,\"step\":99999999999999999999999}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":\"m\",\"value\":null}]}",
                "{\"run_id\":\"r\",\"metrics\":[{\"key\":1,\"value\":1}]}",
                "{\"run_id\":\"r\",\"metrics\":[1]}", "{\"run_id\":\"r\",\"metrics\":{}}", "{\"run_id\":\"r\",\"metrics\":null}",
                "{\"run_id\":\"r\",\"metrics\":[],\"metrics\":[]}",
                "{\"run_id\":\"r\",\"params\":[{\"key\":\"p\",\"value\":1}]}",
                "{\"run_id\":\"r\",\"tags\":[{\"key\":\"t\",\"value\":true}]}")) {
            assertThat(parse(body)).as(body).isNull();
        }
    }
}
