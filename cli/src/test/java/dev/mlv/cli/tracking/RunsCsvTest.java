package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** CSV of runs: one column per key of any run, RFC 4180 quoting of commas, quotes and line breaks. */
class RunsCsvTest {
    @Test
    void quotesWhatNeedsQuotingAndLeavesMissingValuesEmpty() throws Exception {
        var runs = new ObjectMapper().readTree("""
                [{"info": {"run_id": "a", "status": "FINISHED"},
                  "data": {"params": [{"key": "note", "value": "x, \\"y\\"\\nz"}], "metrics": [{"key": "auc", "value": 0.5}]}},
                 {"info": {"run_id": "b"}, "data": {"tags": [{"key": "team", "value": "risk"}]}}]""");
        assertThat(RunsCsv.of(runs)).isEqualTo(
                "run_id,experiment_id,run_name,status,start_time,end_time,artifact_uri,lifecycle_stage,params.note,metrics.auc,tags.team\r\n"
                + "a,,,FINISHED,,,,,\"x, \"\"y\"\"\nz\",0.5,\r\n"
                + "b,,,,,,,,,,risk\r\n");
    }
}
