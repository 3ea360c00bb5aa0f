package dev.mlv.cli.tracking;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.cli.Pages;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code mlv runs list|describe}. */
@Command(name = "runs", mixinStandardHelpOptions = true, description = "List, inspect, delete and restore runs.")
public final class RunsCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            RunsCommand.ListCmd.class,
            RunsCommand.DescribeCmd.class,
            RunsCommand.DeleteCmd.class,
            RunsCommand.RestoreCmd.class,
    };

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = {"List runs, newest first.",
            "Examples:",
            "  mlv runs list --experiment-name fraud --filter \"metrics.auc > 0.9 AND params.lr = '0.01'\"",
            "  mlv runs list --experiment-id 1 --order-by \"metrics.auc DESC\" --max-results 10 --json"})
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Option(names = "--experiment-id", paramLabel = "ID", description = "Experiment id, repeatable.")
        List<String> experimentIds = new ArrayList<>();

        @Option(names = "--experiment-name", paramLabel = "NAME", description = "Experiment name, repeatable. "
                + "Without --experiment-id or --experiment-name: all active experiments.")
        List<String> experimentNames = new ArrayList<>();

        @Option(names = "--filter", paramLabel = "EXPR", description = "MLflow search filter on metrics., params., "
                + "tags., attributes. and datasets., e.g. \"metrics.acc >= 0.9 AND tags.mlflow.user = 'ann'\".")
        String filter;

        @Option(names = "--order-by", paramLabel = "KEY", description = "Sort key, repeatable, e.g. "
                + "\"metrics.acc DESC\", \"attributes.start_time ASC\" (default: start_time DESC).")
        List<String> orderBy = new ArrayList<>();

        @Option(names = "--max-results", paramLabel = "N", description = "At most N runs (default: all).")
        Integer maxResults;

        @Option(names = "--view", paramLabel = "VIEW", defaultValue = "active",
                description = "Which runs: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
        ViewOption view;

        @Option(names = "--csv", description = "Print CSV, one row per run with its info, params.*, metrics.* (latest "
                + "values) and tags.* columns, as MLflow's 'experiments csv' does.")
        boolean csv;

        @Override
        public Integer call() {
            if (maxResults != null && maxResults < 1) throw MlvException.invalid("--max-results must be at least 1");
            if (csv && client.json()) throw MlvException.invalid("--csv and --json are exclusive");
            RestClient rest = client.rest();
            Set<String> ids = new LinkedHashSet<>(experimentIds);
            for (String name : experimentNames) ids.add(experimentId(rest, name));
            if (ids.isEmpty()) {
                ObjectNode body = RestClient.object().put("view_type", "ACTIVE_ONLY");
                for (JsonNode e : Pages.collectPost(rest, "/api/2.0/mlflow/experiments/search", body, "experiments", null)) {
                    ids.add(e.path("experiment_id").asText());
                }
            }
            ObjectNode body = RestClient.object();
            ids.forEach(body.putArray("experiment_ids")::add);
            if (filter != null) body.put("filter", filter);
            orderBy.forEach(body.putArray("order_by")::add);
            body.put("run_view_type", view.wire());
            ArrayNode runs = ids.isEmpty() ? RestClient.json().createArrayNode()
                    : Pages.collectPost(rest, "/api/2.0/mlflow/runs/search", body, "runs", maxResults);
            if (client.printedAsJson("runs", runs)) return 0;
            Output out = client.output();
            if (csv) {
                out.writer().print(RunsCsv.of(runs));
                out.writer().flush();
                return 0;
            }
            boolean manyExperiments = ids.size() > 1;
            List<String> headers = new ArrayList<>(List.of("RUN ID", "NAME", "STATUS", "STARTED", "DURATION"));
            if (manyExperiments) headers.add(1, "EXPERIMENT");
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode run : runs) {
                JsonNode info = run.path("info");
                List<String> row = new ArrayList<>(List.of(Output.text(info, "run_id"), Output.text(info, "run_name"),
                        Output.text(info, "status"), Output.time(info.path("start_time").asLong()),
                        duration(info.path("start_time").asLong(), info.path("end_time").asLong())));
                if (manyExperiments) row.add(1, Output.text(info, "experiment_id"));
                rows.add(row);
            }
            out.table(headers, rows, "No runs.");
            return 0;
        }

        private static String experimentId(RestClient rest, String name) {
            JsonNode r = rest.get("/api/2.0/mlflow/experiments/get-by-name", Map.of("experiment_name", name));
            return r.path("experiment").path("experiment_id").asText();
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
            description = "Show a run: its info, parameters, latest metrics, tags, dataset inputs and logged models.")
    static final class DescribeCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID", description = "The run's id (32 hex characters).")
        String runId;

        @Override
        public Integer call() {
            JsonNode run = client.rest().get("/api/2.0/mlflow/runs/get", Map.of("run_id", runId)).path("run");
            Output out = client.output();
            if (client.json()) {
                out.json(run);
                return 0;
            }
            JsonNode info = run.path("info");
            JsonNode data = run.path("data");
            Map<String, Object> head = new LinkedHashMap<>();
            head.put("Run ID", Output.text(info, "run_id"));
            head.put("Name", Output.text(info, "run_name"));
            head.put("Experiment", Output.text(info, "experiment_id"));
            head.put("Status", Output.text(info, "status"));
            head.put("Lifecycle", Output.text(info, "lifecycle_stage"));
            head.put("User", Output.text(info, "user_id"));
            head.put("Started", Output.time(info.path("start_time").asLong()));
            head.put("Ended", Output.time(info.path("end_time").asLong()));
            head.put("Duration", duration(info.path("start_time").asLong(), info.path("end_time").asLong()));
            head.put("Artifacts", Output.text(info, "artifact_uri"));
            out.keyValues(head);
            out.println("");
            out.section("Parameters", new TreeMap<>(Output.keyValueList(data.path("params"))));
            out.println("");
            Map<String, String> metrics = new TreeMap<>();
            for (JsonNode m : data.path("metrics")) {
                metrics.put(m.path("key").asText(), m.path("value").asText() + "  (step " + m.path("step").asLong() + ")");
            }
            out.section("Metrics (latest)", metrics);
            out.println("");
            out.section("Tags", new TreeMap<>(Output.keyValueList(data.path("tags"))));
            out.println("");
            Map<String, String> inputs = new LinkedHashMap<>();
            for (JsonNode in : run.path("inputs").path("dataset_inputs")) {
                JsonNode ds = in.path("dataset");
                String context = Output.keyValueList(in.path("tags")).getOrDefault("mlflow.data.context", "");
                inputs.put(ds.path("name").asText(), "digest " + ds.path("digest").asText() + ", "
                        + ds.path("source_type").asText() + (context.isEmpty() ? "" : ", context " + context));
            }
            out.section("Dataset inputs", inputs);
            Map<String, String> models = new LinkedHashMap<>();
            for (JsonNode m : run.path("inputs").path("model_inputs")) models.put(m.path("model_id").asText(), "input");
            for (JsonNode m : run.path("outputs").path("model_outputs")) {
                models.put(m.path("model_id").asText(), "output at step " + m.path("step").asLong());
            }
            if (!models.isEmpty()) {
                out.println("");
                out.section("Logged models (serve with models:/<model_id>)", models);
            }
            return 0;
        }
    }

    /** {@code 1h02m03s}-style duration, or empty when the run has not ended. */
    static String duration(long start, long end) {
        if (start <= 0 || end <= 0 || end < start) return "";
        Duration d = Duration.ofMillis(end - start);
        if (d.toHours() > 0) return String.format("%dh%02dm%02ds", d.toHours(), d.toMinutesPart(), d.toSecondsPart());
        if (d.toMinutes() > 0) return String.format("%dm%02ds", d.toMinutes(), d.toSecondsPart());
        return String.format("%.1fs", d.toMillis() / 1000.0);
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {
            "Mark a run deleted, as MLflow does; nothing is removed.",
            "It leaves listings and searches: 'mlv runs restore RUN_ID' brings it back, 'mlv gc' removes it for good.", "Example: mlv runs delete 5f1c…"})
    static final class DeleteCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID", description = "The run's id.")
        String runId;

        @Override
        public Integer call() {
            return Lifecycle.call(client, "runs/delete", RestClient.object().put("run_id", runId),
                    "Deleted run " + runId + " (restore it with 'mlv runs restore " + runId + "')");
        }
    }

    @Command(name = "restore", mixinStandardHelpOptions = true, description = {"Bring back a deleted run.",
            "Example: mlv runs restore 5f1c…"})
    static final class RestoreCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "RUN_ID", description = "The run's id.")
        String runId;

        @Override
        public Integer call() {
            return Lifecycle.call(client, "runs/restore", RestClient.object().put("run_id", runId), "Restored run " + runId);
        }
    }
}
