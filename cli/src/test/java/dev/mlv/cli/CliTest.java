package dev.mlv.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlv.client.ActiveRun;
import dev.mlv.client.DatasetRef;
import dev.mlv.client.MlvClient;
import dev.mlv.client.http.RestClient;
import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code mlv} run in-process against a real in-process server, with captured output. */
class CliTest {
    @TempDir
    static Path home;
    static MlvServer server;

    record Result(int code, String out, String err) {
        JsonNode json() throws IOException {
            return RestClient.json().readTree(out);
        }
    }

    @BeforeAll
    static void start() {
        server = MlvServer.start(new ServerConfig("127.0.0.1", 0, home, null, null));
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    static Result mlv(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** {@code mlv <args> --tracking-uri <server>}. */
    static Result remote(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.add("--tracking-uri");
        all.add(server.url());
        return mlv(all.toArray(String[]::new));
    }

    @Test
    void helpListsTheCommandsAndVersionPrints() {
        Result help = mlv("--help");
        assertThat(help.code()).isZero();
        assertThat(help.out()).contains("server", "experiments", "runs", "Usage: mlv");
        Result version = mlv("--version");
        assertThat(version.code()).isZero();
        assertThat(version.out()).startsWith("mlv ");
        assertThat(mlv("runs", "list", "--help").out()).contains("--experiment-name", "--filter", "--order-by",
                "--max-results", "--view", "--json", "--tracking-uri");
        assertThat(mlv("server", "--help").out()).contains("--host", "--port", "--home", "--backend-store-uri",
                "--artifacts-destination");
    }

    @Test
    void doctorReportsTheServerAndMasksSecrets() throws IOException {
        JsonNode report = remote("doctor", "--json").json();
        assertThat(report.path("mlv").asText()).isEqualTo(VersionProvider.version());
        assertThat(report.path("tracking_uri").asText()).isEqualTo(server.url());
        assertThat(report.path("tracking_server").asText()).startsWith("reachable, version " + dev.mlv.server.MlvServer.VERSION);
        assertThat(report.path("data_repository").asText()).isNotEmpty();
        assertThat(report.path("git").asText()).startsWith("git version");
        Result text = mlv("doctor", "--tracking-uri", "http://127.0.0.1:1");
        assertThat(text.code()).isZero();
        assertThat(text.out()).contains("tracking_server:", "not reachable", "Environment:");

        assertThat(DoctorCommand.environment(Map.of("MLV_TRACKING_PASSWORD", "pw", "AWS_SECRET_ACCESS_KEY", "sk",
                "MLFLOW_TRACKING_TOKEN", "tok", "AWS_ACCESS_KEY_ID", "AKIA", "MLV_TRACKING_URI", "http://x:5000",
                "AWS_PROFILE", "dev", "PATH", "/bin"))).isEqualTo(Map.of("MLV_TRACKING_PASSWORD", "***",
                "AWS_SECRET_ACCESS_KEY", "***", "MLFLOW_TRACKING_TOKEN", "***", "AWS_ACCESS_KEY_ID", "***",
                "MLV_TRACKING_URI", "http://x:5000", "AWS_PROFILE", "dev"));
    }

    @Test
    void aPortOutOfRangeIsAUsageError() {
        for (String[] args : new String[][]{{"server", "--port", "99999"}, {"models", "serve", "-m", "models:/m/1", "-p", "-1"}}) {
            Result r = mlv(args);
            assertThat(r.code()).isEqualTo(ErrorHandler.USAGE);
            assertThat(r.err()).contains("is not a port: use 0 to 65535 (0 picks a free one)").doesNotContain("Exception");
        }
    }

    @Test
    void experimentsCreateAndListAsTableAndJson() throws IOException {
        Result created = remote("experiments", "create", "cli-exp-a", "--tag", "team=risk");
        assertThat(created.code()).as(created.err()).isZero();
        assertThat(created.out()).matches("Created experiment 'cli-exp-a' with id \\d+\\R");
        Result json = remote("experiments", "create", "cli-exp-b", "--json");
        assertThat(json.json().path("experiment_id").asText()).matches("\\d+");

        Result table = remote("experiments", "list");
        assertThat(table.code()).isZero();
        String[] lines = table.out().split("\\R");
        assertThat(lines[0]).startsWith("ID").contains("NAME", "CREATED", "ARTIFACT LOCATION");
        assertThat(lines[1]).matches("-+( +-+)+");
        assertThat(table.out()).contains("cli-exp-a", "cli-exp-b", "Default");

        Result list = remote("experiments", "list", "--json", "--filter", "name LIKE 'cli-exp-%'", "--order-by", "name DESC");
        assertThat(list.code()).as(list.err()).isZero();
        List<String> names = new ArrayList<>();
        list.json().path("experiments").forEach(e -> names.add(e.path("name").asText()));
        assertThat(names).containsExactly("cli-exp-b", "cli-exp-a");

        Result one = remote("experiments", "list", "--json", "--max-results", "1");
        assertThat(one.json().path("experiments")).hasSize(1);

        Result dup = remote("experiments", "create", "cli-exp-a");
        assertThat(dup.code()).isEqualTo(1);
        assertThat(dup.err()).startsWith("mlv: error: ").contains("cli-exp-a");
    }

    @Test
    void experimentsAndRunsAreRenamedDeletedAndRestoredAsInMlflow() throws IOException {
        MlvClient client = MlvClient.connect(server.url()).captureEnvironment(false);
        String runId;
        try (ActiveRun run = client.startRun("cli-lifecycle")) {
            runId = run.runId();
        }
        String id = remote("experiments", "list", "--json", "--filter", "name = 'cli-lifecycle'").json()
                .at("/experiments/0/experiment_id").asText();

        Result renamed = remote("experiments", "rename", id, "cli-lifecycle-v2");
        assertThat(renamed.code()).as(renamed.err()).isZero();
        assertThat(renamed.out()).isEqualTo("Renamed experiment " + id + " to 'cli-lifecycle-v2'\n");
        Result deletedRun = remote("runs", "delete", runId);
        assertThat(deletedRun.out()).startsWith("Deleted run " + runId);
        assertThat(remote("runs", "describe", runId, "--json").json().at("/info/lifecycle_stage").asText()).isEqualTo("deleted");
        assertThat(remote("runs", "restore", runId).code()).isZero();
        assertThat(remote("runs", "describe", runId, "--json").json().at("/info/lifecycle_stage").asText()).isEqualTo("active");

        Result deleted = remote("experiments", "delete", id);
        assertThat(deleted.out()).contains("restore it with 'mlv experiments restore " + id + "'");
        assertThat(remote("experiments", "list").out()).doesNotContain("cli-lifecycle-v2");
        assertThat(remote("experiments", "list", "--view", "deleted").out()).contains("cli-lifecycle-v2", "deleted");
        assertThat(remote("experiments", "restore", id, "--json").json().path("experiment_id").asText()).isEqualTo(id);
        assertThat(remote("experiments", "list").out()).contains("cli-lifecycle-v2");

        Result missing = remote("experiments", "delete", "987654");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("mlv: error: ").contains("987654");
    }

    @Test
    void runsListAndDescribe() throws IOException {
        MlvClient client = MlvClient.connect(server.url()).captureEnvironment(false);
        String id;
        try (ActiveRun run = client.startRun("cli-runs", "first")) {
            id = run.runId();
            run.logParam("lr", "0.01");
            run.logMetric("acc", 0.5, 1).logMetric("acc", 0.9, 2);
            run.setTag("team", "risk");
            run.logInput(DatasetRef.of("iris", "abc123", "mlv", "{}").withContext("training"));
        }
        String experimentId = client.rest().get("/api/2.0/mlflow/runs/get", java.util.Map.of("run_id", id))
                .at("/run/info/experiment_id").asText();
        String modelId = client.rest().post("/api/2.0/mlflow/logged-models", java.util.Map.of("experiment_id", experimentId,
                "name", "clf", "source_run_id", id)).at("/model/info/model_id").asText();
        client.rest().post("/api/2.0/mlflow/runs/outputs", java.util.Map.of("run_id", id,
                "models", java.util.List.of(java.util.Map.of("model_id", modelId, "step", 2))));
        try (ActiveRun run = client.startRun("cli-runs", "second")) {
            run.logMetric("acc", 0.7, 1);
        }

        Result table = remote("runs", "list", "--experiment-name", "cli-runs");
        assertThat(table.code()).as(table.err()).isZero();
        assertThat(table.out()).contains("RUN ID", "STATUS", id, "first", "second", "FINISHED");

        Result filtered = remote("runs", "list", "--experiment-name", "cli-runs", "--filter", "metrics.acc > 0.8", "--json");
        assertThat(filtered.code()).as(filtered.err()).isZero();
        assertThat(filtered.json().path("runs")).hasSize(1);
        assertThat(filtered.json().path("runs").get(0).path("info").path("run_id").asText()).isEqualTo(id);

        Result csv = remote("runs", "list", "--experiment-name", "cli-runs", "--csv", "--order-by", "attributes.run_name ASC");
        assertThat(csv.code()).as(csv.err()).isZero();
        String[] csvLines = csv.out().split("\r\n");
        assertThat(csvLines[0]).startsWith("run_id,experiment_id,run_name,status,start_time,end_time,artifact_uri,lifecycle_stage,")
                .contains("params.lr", "metrics.acc", "tags.team");
        assertThat(csvLines).hasSize(3);
        List<String> header = List.of(csvLines[0].split(","));
        List<String> first = List.of(csvLines[1].split(",", -1));
        assertThat(first.get(header.indexOf("run_id"))).isEqualTo(id);
        assertThat(first.get(header.indexOf("params.lr"))).isEqualTo("0.01");
        assertThat(first.get(header.indexOf("metrics.acc"))).isEqualTo("0.9");
        assertThat(List.of(csvLines[2].split(",", -1)).get(header.indexOf("params.lr"))).as("the second run has no lr").isEmpty();
        assertThat(remote("runs", "list", "--experiment-name", "cli-runs", "--csv", "--json").code()).isEqualTo(2);

        Result describe = remote("runs", "describe", id);
        assertThat(describe.code()).as(describe.err()).isZero();
        assertThat(describe.out()).contains("Run ID:", id, "Parameters:", "lr", "0.01", "Metrics (latest):", "acc",
                "0.9", "(step 2)", "Tags:", "team", "risk", "Dataset inputs:", "iris", "abc123", "training",
                "Logged models", modelId, "output at step 2");

        Result describeJson = remote("runs", "describe", id, "--json");
        assertThat(describeJson.json().path("info").path("run_id").asText()).isEqualTo(id);

        Result missing = remote("runs", "describe", "0123456789abcdef0123456789abcdef");
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.err()).startsWith("mlv: error: ");
    }

    @Test
    void badFilterIsAUsageError() {
        Result r = remote("runs", "list", "--experiment-id", "0", "--filter", "metrics.acc >>> 1");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("mlv: error: ").contains("hint: see 'mlv runs list --help'");
    }

    @Test
    void serverDownIsOneErrorLineWithAHintAndExitOne() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Result r = mlv("experiments", "list", "--tracking-uri", "http://127.0.0.1:" + port);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).startsWith("mlv: error: Cannot reach the mlv server at http://127.0.0.1:" + port)
                .contains("mlv server");
        assertThat(r.err().lines().count()).isLessThanOrEqualTo(2);
    }

    @Test
    void unknownOptionIsAUsageErrorWithExitTwo() {
        Result r = mlv("experiments", "list", "--no-such-option");
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).startsWith("mlv: error: Unknown option: '--no-such-option'")
                .contains("hint: see 'mlv experiments list --help'");
        Result missing = mlv("runs", "describe");
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).startsWith("mlv: error: Missing required parameter");
    }

    @Test
    void aMistypedCommandOrOptionGetsTheClosestOneAsAHint() {
        Result command = mlv("models", "promot");
        assertThat(command.code()).isEqualTo(2);
        assertThat(command.err()).contains("hint: did you mean 'promote'? see 'mlv models --help'");
        Result option = mlv("experiments", "list", "--jsno");
        assertThat(option.err()).contains("hint: did you mean '--json'? see 'mlv experiments list --help'");
        assertThat(option.err().lines().count()).isEqualTo(2);
        assertThat(mlv("zzzz").err()).contains("hint: see 'mlv --help'").doesNotContain("did you mean");
    }

    @Test
    void serverOptionsFallBackToDefaults() {
        var cmd = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(cmd).parseArgs("--port", "0", "--home", home.toString());
        ServerConfig c = dev.mlv.cli.tracking.ServerCommandAccess.config(cmd);
        assertThat(c.port()).isZero();
        assertThat(c.effectiveBackendStoreUri()).isEqualTo("sqlite:///" + home.toAbsolutePath().resolve("mlv.db"));
        assertThat(dev.mlv.store.MetadataStores.masked("postgresql://bob:secret@db:5432/mlv"))
                .isEqualTo("postgresql://bob:***@db:5432/mlv");
        assertThat(c.authenticates()).as("no authentication by default").isFalse();
    }

    @Test
    void browserSecurityStaticPrefixAndMlflowsArtifactOptions() {
        var cmd = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(cmd).parseArgs("--allowed-hosts", "mlv.example.com:*, 10.*", "--cors-allowed-origins", "https://app.example.com",
                "--x-frame-options", "deny", "--disable-security-middleware", "--serve-artifacts", "--default-artifact-root", "s3://bucket/mlv");
        ServerConfig c = dev.mlv.cli.tracking.ServerCommandAccess.config(cmd);
        assertThat(c.browser()).isEqualTo(new dev.mlv.server.security.BrowserSecurity(List.of("mlv.example.com:*", "10.*"),
                List.of("https://app.example.com"), "DENY", true));
        assertThat(c.effectiveArtifactsDestination()).isEqualTo("s3://bucket/mlv");

        var proxied = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(proxied).parseArgs("--home", home.toString(), "--default-artifact-root", "mlflow-artifacts:/");
        ServerConfig p = dev.mlv.cli.tracking.ServerCommandAccess.config(proxied);
        assertThat(p.effectiveArtifactsDestination()).isEqualTo(home.toAbsolutePath().resolve("artifacts").toString());
        assertThat(p.browser().frameOptions()).isEqualTo("SAMEORIGIN");

        var both = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(both).parseArgs("--artifacts-destination", "/a", "--default-artifact-root", "/b");
        assertThatThrownBy(() -> dev.mlv.cli.tracking.ServerCommandAccess.config(both)).hasMessageContaining("give one");
        var prefixed = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(prefixed).parseArgs("--static-prefix", "/team/mlflow/");
        assertThat(dev.mlv.cli.tracking.ServerCommandAccess.config(prefixed).staticPrefix()).isEqualTo("/team/mlflow");
        var badPrefix = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(badPrefix).parseArgs("--static-prefix", "/a/../b");
        assertThatThrownBy(() -> dev.mlv.cli.tracking.ServerCommandAccess.config(badPrefix)).hasMessageContaining("Invalid static prefix");
        var badFrame = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(badFrame).parseArgs("--x-frame-options", "ALLOWALL");
        assertThatThrownBy(() -> dev.mlv.cli.tracking.ServerCommandAccess.config(badFrame)).hasMessageContaining("SAMEORIGIN, DENY or NONE");
    }

    @Test
    void authFlagsChooseWhereTheUsersAre() {
        for (String[] args : new String[][]{{"--auth"}, {"--app-name", "basic-auth"}}) {
            var cmd = new dev.mlv.cli.tracking.ServerCommand();
            new CommandLine(cmd).parseArgs(args);
            ServerConfig c = dev.mlv.cli.tracking.ServerCommandAccess.config(cmd);
            assertThat(c.usersInDatabase()).as(String.join(" ", args)).isTrue();
            assertThat(c.authFile()).isNull();
        }
        var file = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(file).parseArgs("--auth-file", "users");
        assertThat(dev.mlv.cli.tracking.ServerCommandAccess.config(file).usersInDatabase()).isFalse();
        var both = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(both).parseArgs("--auth", "--auth-file", "users");
        assertThatThrownBy(() -> dev.mlv.cli.tracking.ServerCommandAccess.config(both)).hasMessageContaining("not both");
        var other = new dev.mlv.cli.tracking.ServerCommand();
        new CommandLine(other).parseArgs("--app-name", "oidc-auth");
        assertThatThrownBy(() -> dev.mlv.cli.tracking.ServerCommandAccess.config(other)).hasMessageContaining("Unknown --app-name");
    }
}
