package dev.mlv.cli.models;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mlv models lineage MODEL_URI}: the tree from a version to its run, data, code, params, environment, checkpoints. */
@Command(name = "lineage", mixinStandardHelpOptions = true, description = {
        "Show where a version comes from, as a tree (or --json).",
        "Its files, run, datasets (digests), code commit, parameters, metrics, environment and checkpoints.",
        "Examples:",
        "  mlv models lineage models:/fraud/Production",
        "  mlv models lineage models:/fraud/3 --json"})
final class LineageCommand implements Callable<Integer> {
    @Mixin
    ClientOptions client;

    @Parameters(paramLabel = "MODEL_URI", description = "models:/NAME/VERSION, models:/NAME/STAGE, models:/NAME@ALIAS or models:/NAME/latest.")
    String uri;

    @Override
    public Integer call() {
        JsonNode r = client.rest().get(RegistryPaths.LINEAGE, Map.of("uri", uri));
        Output out = client.output();
        if (client.json()) {
            out.json(r);
            return 0;
        }
        out.writer().print(render(r));
        out.writer().flush();
        return 0;
    }

    /** A node of the printed tree. */
    record Node(String label, List<Node> children) {
        Node(String label) {
            this(label, new ArrayList<>());
        }

        Node add(String childLabel) {
            Node n = new Node(childLabel);
            children.add(n);
            return n;
        }
    }

    /** The lineage JSON as a box-drawn tree. */
    static String render(JsonNode lineage) {
        JsonNode mv = lineage.path("model_version");
        StringBuilder head = new StringBuilder(Output.text(mv, "uri"));
        head.append("  (stage ").append(mv.path("stage").asText("None"));
        String aliases = RegistryPaths.aliases(mv);
        if (!aliases.isEmpty()) head.append("; aliases ").append(aliases);
        head.append("; registered by ").append(Output.text(mv, "registered_by"))
                .append(" at ").append(Output.time(mv.path("creation_timestamp").asLong())).append(')');
        Node root = new Node(head.toString());
        root.add("source: " + Output.text(mv, "source"));
        JsonNode files = mv.path("files");
        if (files.isArray() && !files.isEmpty()) {
            Node f = root.add("files");
            for (JsonNode file : files) {
                f.add(Output.text(file, "path") + "  sha256:" + Output.text(file, "sha256")
                        + "  (" + file.path("size").asLong() + " bytes)");
            }
        }
        JsonNode run = mv.path("run");
        if (run.isObject()) {
            Node r = root.add("run " + Output.text(run, "run_id") + " \"" + Output.text(run, "run_name") + "\"  "
                    + Output.text(run, "status") + ", by " + Output.text(run, "user_id") + ", "
                    + Output.time(run.path("start_time").asLong())
                    + (run.path("end_time").isNumber() ? " → " + Output.time(run.path("end_time").asLong()) : "")
                    + ", experiment " + Output.text(run, "experiment_id"));
            r.add("code: " + code(run.path("code")));
            Node ds = r.add("datasets");
            for (JsonNode d : run.path("datasets")) {
                String context = Output.text(d, "context");
                ds.add(Output.text(d, "name") + "  digest " + Output.text(d, "digest")
                        + (context.isEmpty() ? "" : "  [" + context + "]")
                        + "  " + Output.text(d, "source_type") + " " + Output.text(d, "source"));
            }
            if (ds.children().isEmpty()) ds.add("(none)");
            keyValues(r.add("params"), run.path("params"));
            keyValues(r.add("metrics"), run.path("metrics"));
            keyValues(r.add("environment"), run.path("environment"));
            Node cps = r.add("checkpoints");
            for (JsonNode c : run.path("checkpoints")) cps.add(checkpoint(c));
            if (cps.children().isEmpty()) cps.add("(none)");
        } else {
            root.add("run: (none)");
        }
        StringBuilder sb = new StringBuilder();
        sb.append(root.label()).append('\n');
        renderChildren(sb, root, "");
        for (JsonNode n : lineage.path("notes")) sb.append("note: ").append(n.asText()).append('\n');
        return sb.toString();
    }

    private static String code(JsonNode code) {
        List<String> parts = new ArrayList<>();
        String commit = Output.text(code, "git_commit");
        parts.add(commit.isEmpty() ? "commit unknown" : "commit " + commit);
        if (!Output.text(code, "git_repo").isEmpty()) parts.add("repo " + Output.text(code, "git_repo"));
        if (!Output.text(code, "git_branch").isEmpty()) parts.add("branch " + Output.text(code, "git_branch"));
        if (code.path("git_dirty").asBoolean(false)) parts.add("with uncommitted changes");
        if (!Output.text(code, "source_name").isEmpty()) parts.add("source " + Output.text(code, "source_name"));
        return String.join(", ", parts);
    }

    private static String checkpoint(JsonNode c) {
        StringBuilder sb = new StringBuilder("epoch " + c.path("epoch").asLong() + "  " + Output.text(c, "path"));
        JsonNode d = c.path("details");
        if (d.path("step").isNumber()) sb.append("  step ").append(d.path("step").asLong());
        JsonNode metrics = d.path("metrics");
        if (metrics.isObject() && !metrics.isEmpty()) {
            List<String> kv = new ArrayList<>();
            metrics.fields().forEachRemaining(e -> kv.add(e.getKey() + "=" + e.getValue().asText()));
            sb.append("  ").append(String.join(", ", kv));
        }
        if (d.isMissingNode() || d.isNull()) sb.append("  (incomplete: no checkpoint.json)");
        return sb.toString();
    }

    private static void keyValues(Node parent, JsonNode object) {
        if (!object.isObject() || object.isEmpty()) {
            parent.add("(none)");
            return;
        }
        object.fields().forEachRemaining(e -> parent.add(e.getKey() + " = "
                + (e.getValue().isValueNode() ? e.getValue().asText() : e.getValue().toString())));
    }

    private static void renderChildren(StringBuilder sb, Node node, String indent) {
        for (int i = 0; i < node.children().size(); i++) {
            Node c = node.children().get(i);
            boolean last = i == node.children().size() - 1;
            sb.append(indent).append(last ? "└── " : "├── ").append(c.label()).append('\n');
            renderChildren(sb, c, indent + (last ? "    " : "│   "));
        }
    }
}
