package dev.mlv.server.ui;

import dev.mlv.server.MlvServer;
import dev.mlv.server.ServerConfig;
import dev.mlv.users.User;
import dev.mlv.users.UsersFile;
import dev.mlv.server.registry.RegistryHttp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static dev.mlv.server.registry.RegistryHttp.MLFLOW;
import static dev.mlv.server.registry.RegistryHttp.MLV;
import static dev.mlv.server.registry.RegistryHttp.obj;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The web UI on a real server: each page shows what the REST API holds, user text is escaped, errors are pages, and on
 * a server with users the pages follow the same permissions.
 */
class WebUiTest {
    private static final String EVIL = "<script>alert('x')</script>&\"";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    @TempDir
    static Path home;
    static MlvServer server;
    static RegistryHttp api;

    @BeforeAll
    static void start() {
        server = MlvServer.start(ServerConfig.forHome(home).withPort(0));
        api = new RegistryHttp(server);
    }

    @AfterAll
    static void stop() {
        if (server != null) server.close();
    }

    record Page(int status, String contentType, String body) {
    }

    static Page get(MlvServer s, String pathAndQuery, String user) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery));
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
        return new Page(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
    }

    static String q(String v) {
        return URLEncoder.encode(v, StandardCharsets.UTF_8);
    }

    @Test
    void pagesShowExperimentsRunsModelsVersionsAndTheirHistory() throws Exception {
        String exp = api.ok(api.post(MLFLOW + "experiments/create", obj("name", "churn-" + System.nanoTime()))).path("experiment_id").asText();
        String run = api.ok(api.post(MLFLOW + "runs/create", obj("experiment_id", exp, "run_name", "sgd-lr0.1"))).at("/run/info/run_id").asText();
        api.ok(api.post(MLFLOW + "runs/log-parameter", obj("run_id", run, "key", "learning_rate", "value", "0.1")));
        api.ok(api.post(MLFLOW + "runs/log-metric", obj("run_id", run, "key", "loss", "value", 0.9, "timestamp", 1L, "step", 0L)));
        api.ok(api.post(MLFLOW + "runs/log-metric", obj("run_id", run, "key", "loss", "value", 0.4, "timestamp", 2L, "step", 1L)));
        api.ok(api.post(MLFLOW + "runs/log-metric", obj("run_id", run, "key", "auc", "value", 0.875, "timestamp", 1L, "step", 3L)));
        String model = "churn-model-" + System.nanoTime();
        api.createModel(model);
        String v = api.version(model, run);
        api.ok(api.post(MLV + "model-versions/promote", obj("name", model, "version", v, "stage", "Production", "reason", "best auc")));

        assertThat(get(server, "/", null).status()).as("/ redirects to /ui").isEqualTo(302);
        Page root = get(server, "/ui", null);
        assertThat(root.status()).isEqualTo(200);
        assertThat(root.contentType()).startsWith("text/html");
        assertThat(root.body()).contains("Experiments", "churn-", "/ui/experiment?experiment_id=" + exp, model, "Production: v" + v);

        Page experiment = get(server, "/ui/experiment?experiment_id=" + exp, null);
        assertThat(experiment.body()).contains("sgd-lr0.1", "param: learning_rate", "metric: auc", "0.1", "0.875", "RUNNING");

        api.upload(exp + "/" + run + "/artifacts/model/weights%20file.bin", "weights".getBytes(StandardCharsets.UTF_8));
        Page runPage = get(server, "/ui/run?run_id=" + run, null);
        String download = "/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + run + "/artifacts/model/weights%20file.bin";
        assertThat(runPage.body()).contains("<a href=\"" + download + "\">download</a>",
                "<a href=\"/ui/artifact?run_id=" + run + "&amp;path=model%2Fweights+file.bin\">model/weights file.bin</a>");
        assertThat(get(server, download, null).body()).isEqualTo("weights");

        // artifact pages: text shown escaped, images drawn through the proxy, other files only offered for download
        api.upload(exp + "/" + run + "/artifacts/notes/readme.md", "# Notes <script>alert(1)</script>".getBytes(StandardCharsets.UTF_8));
        api.upload(exp + "/" + run + "/artifacts/plots/loss.png", new byte[]{(byte) 0x89, 'P', 'N', 'G'});
        Page text = get(server, "/ui/artifact?run_id=" + run + "&path=" + q("notes/readme.md"), null);
        assertThat(text.status()).isEqualTo(200);
        assertThat(text.body()).contains("<pre># Notes &lt;script&gt;alert(1)&lt;/script&gt;</pre>").doesNotContain("<script>alert");
        assertThat(get(server, "/ui/artifact?run_id=" + run + "&path=" + q("plots/loss.png"), null).body())
                .contains("<img style=", "src=\"/api/2.0/mlflow-artifacts/artifacts/" + exp + "/" + run + "/artifacts/plots/loss.png\"");
        assertThat(get(server, "/ui/artifact?run_id=" + run + "&path=" + q("model/weights file.bin"), null).body())
                .contains("No preview", "7 bytes");
        for (String bad : new String[]{"../../x", "/etc/passwd", "model/../../x", "%2e%2e/x"}) {
            assertThat(get(server, "/ui/artifact?run_id=" + run + "&path=" + q(bad), null).status()).as(bad).isEqualTo(400);
        }
        assertThat(get(server, "/ui/artifact?run_id=" + run + "&path=model", null).status()).as("a folder").isEqualTo(404);
        assertThat(get(server, "/ui/artifact?run_id=" + run + "&path=nothing.txt", null).status()).isEqualTo(404);
        assertThat(runPage.body()).contains("Run sgd-lr0.1", run, "learning_rate", "0.875", model + " v" + v, "Production",
                "aria-label=\"2 values from 0.4 to 0.9\"", "points=\"2.0,2.0 198.0,34.0\"");

        assertThat(get(server, "/ui/experiment?experiment_id=" + exp + "&filter=" + q("metrics.auc > 0.8"), null).body())
                .contains("sgd-lr0.1").contains("value=\"metrics.auc &gt; 0.8\"");
        assertThat(get(server, "/ui/experiment?experiment_id=" + exp + "&filter=" + q("metrics.auc > 0.9"), null).body())
                .doesNotContain("sgd-lr0.1").contains("No run matches the filter.");
        Page badFilter = get(server, "/ui/experiment?experiment_id=" + exp + "&filter=" + q("metrics.auc >>> 1"), null);
        assertThat(badFilter.status()).isEqualTo(400);
        assertThat(badFilter.contentType()).startsWith("text/html");

        Page modelPage = get(server, "/ui/model?name=" + q(model), null);
        assertThat(modelPage.body()).contains("/ui/model-version?name=" + q(model) + "&amp;version=" + v, "best auc", "- → " + v,
                "Audit chain verified", "Audit events", "registered_model.create", "model_version.create");

        Page version = get(server, "/ui/model-version?name=" + q(model) + "&version=" + v, null);
        assertThat(version.body()).contains("Stage", "Production", "runs:/" + run + "/model", "Trained by run", "learning_rate",
                "Metadata (as &#39;mlv models metadata&#39;)", "&quot;model_version&quot; : &quot;v" + v + "&quot;");
    }

    @Test
    void doublesShowSixSignificantDigitsWithTheExactValueOnHover() {
        assertThat(Html.number(0.8888888888888888)).isEqualTo(" title=\"0.8888888888888888\">0.888889");
        assertThat(Html.number(0.875)).isEqualTo(">0.875");
        assertThat(Html.number(30.0)).isEqualTo(">30");
        assertThat(Html.number(0.0)).isEqualTo(">0");
        assertThat(Html.number(1.23456789e-7)).isEqualTo(" title=\"1.23456789E-7\">1.23457E-7");
        assertThat(Html.number(Double.NaN)).isEqualTo(">NaN");
        assertThat(Html.number(42L)).isEqualTo(">42");
    }

    @Test
    void runsAreComparedSideBySideWithTheirDifferencesMarked() throws Exception {
        String exp = api.ok(api.post(MLFLOW + "experiments/create", obj("name", "cmp-" + System.nanoTime()))).path("experiment_id").asText();
        String a = api.ok(api.post(MLFLOW + "runs/create", obj("experiment_id", exp, "run_name", "run-a"))).at("/run/info/run_id").asText();
        String b = api.ok(api.post(MLFLOW + "runs/create", obj("experiment_id", exp, "run_name", "run-b"))).at("/run/info/run_id").asText();
        for (String[] p : new String[][]{{a, "lr", "0.1"}, {b, "lr", "0.01"}, {a, "epochs", "5"}, {b, "epochs", "5"}}) {
            api.ok(api.post(MLFLOW + "runs/log-parameter", obj("run_id", p[0], "key", p[1], "value", p[2])));
        }
        // loss: three steps in run a, one in run b; the chart spans steps 0..2 and values 0.2..0.8
        for (Object[] m : new Object[][]{{a, 0.8, 0}, {a, 0.2, 2}, {a, 0.5, 1}, {b, 0.6, 0}}) {
            api.ok(api.post(MLFLOW + "runs/log-metric", obj("run_id", m[0], "key", "loss", "value", m[1], "timestamp", 1, "step", m[2])));
        }
        assertThat(get(server, "/ui/experiment?experiment_id=" + exp, null).body())
                .contains("<form method=\"get\" action=\"/ui/compare\">", "name=\"run_ids\" value=\"" + a + "\"");

        Page compared = get(server, "/ui/compare?run_ids=" + a + "&run_ids=" + b, null);
        assertThat(compared.status()).isEqualTo(200);
        assertThat(compared.body()).contains("Compare 2 runs", "run-a", "run-b", "<b>lr</b>", "0.01").doesNotContain("<b>epochs</b>");
        // run a's line in step order (not logging order), from the top left to the bottom right; run b a single dot
        assertThat(compared.body()).contains("Metric charts", "aria-label=\"loss by step\"",
                "points=\"70.0,10.0 270.0,93.0 470.0,176.0\"", "<circle cx=\"70.0\" cy=\"65.3\"", "&#9632;</span> run-a");
        assertThat(get(server, "/ui/compare", null).status()).isEqualTo(400);
        assertThat(get(server, "/ui/compare?run_ids=" + "0".repeat(32), null).status()).isEqualTo(404);
    }

    @Test
    void userTextIsEscapedAndErrorsArePages() throws Exception {
        String exp = api.ok(api.post(MLFLOW + "experiments/create", obj("name", EVIL + System.nanoTime()))).path("experiment_id").asText();
        String run = api.ok(api.post(MLFLOW + "runs/create", obj("experiment_id", exp, "run_name", EVIL))).at("/run/info/run_id").asText();
        api.ok(api.post(MLFLOW + "runs/log-parameter", obj("run_id", run, "key", "k", "value", EVIL)));
        api.ok(api.post(MLFLOW + "runs/set-tag", obj("run_id", run, "key", "note", "value", "<img src=x onerror=alert(1)>")));
        api.ok(api.post(MLFLOW + "runs/log-parameter", obj("run_id", run, "key", "long", "value", "y".repeat(600))));
        assertThat(get(server, "/ui/run?run_id=" + run, null).body()).as("long values are shortened")
                .contains("y".repeat(Html.MAX_CELL) + "…").doesNotContain("y".repeat(Html.MAX_CELL + 1));
        for (String page : new String[]{"/ui", "/ui/experiment?experiment_id=" + exp, "/ui/run?run_id=" + run}) {
            String body = get(server, page, null).body();
            assertThat(body).as(page).doesNotContain("<script>alert", "<img src=x").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;");
        }

        Page missing = get(server, "/ui/run?run_id=" + "0".repeat(32), null);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.contentType()).startsWith("text/html");
        assertThat(missing.body()).contains("Error 404", "Run", "not found");
        Page noParam = get(server, "/ui/model", null);
        assertThat(noParam.status()).isEqualTo(400);
        assertThat(noParam.body()).contains("Missing value for required parameter &#39;name&#39;");
        assertThat(get(server, "/api/2.0/mlflow/runs/get?run_id=" + "0".repeat(32), null).contentType())
                .as("the REST API keeps its JSON errors").startsWith("application/json");
    }

    /** A form's POST as a browser sends it: urlencoded fields, and the page it comes from in {@code headers}. */
    static Page post(MlvServer s, String pathAndQuery, Map<String, String> headers, String user, String... fields) throws Exception {
        StringBuilder body = new StringBuilder();
        for (int i = 0; i + 1 < fields.length; i += 2) body.append(i == 0 ? "" : "&").append(fields[i]).append('=').append(q(fields[i + 1]));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(s.url() + pathAndQuery))
                .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body.toString()));
        headers.forEach(b::header);
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder().encodeToString((user + ":" + user + "-pw").getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()); // a 303 is not followed
        return new Page(r.statusCode(), r.headers().firstValue("Location").orElse(""), r.body());
    }

    static String stageOf(String model, String version) {
        return api.ok(api.get(MLFLOW + "model-versions/get", Map.of("name", model, "version", version))).at("/model_version/current_stage").asText();
    }

    @Test
    void formsMoveStagesSetAliasesAndRollBackWithAReasonFromTheUisOwnPagesOnly() throws Exception {
        String exp = api.ok(api.post(MLFLOW + "experiments/create", obj("name", "forms-" + System.nanoTime()))).path("experiment_id").asText();
        String run = api.ok(api.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText();
        String model = "forms-" + System.nanoTime();
        api.createModel(model);
        String v1 = api.version(model, run);
        String v2 = api.version(model, run);
        Map<String, String> self = Map.of("Origin", server.url());
        String stage1 = "/ui/model-version/stage?name=" + q(model) + "&version=" + v1;
        String stage2 = "/ui/model-version/stage?name=" + q(model) + "&version=" + v2;

        assertThat(get(server, "/ui/model-version?name=" + q(model) + "&version=" + v1, null).body())
                .contains("<form method=\"post\" action=\"/ui/model-version/stage?name=" + q(model) + "&amp;version=" + v1 + "\"",
                        "<option>Production</option>", "name=\"reason\"", "Set alias");
        // a page elsewhere, or no page at all, cannot change anything
        for (Map<String, String> from : List.of(Map.<String, String>of(), Map.of("Origin", "https://attacker.example"),
                Map.of("Referer", "https://attacker.example/page"), Map.of("Origin", "null"))) {
            Page refused = post(server, stage1, from, null, "stage", "Production", "reason", "forged");
            assertThat(refused.status()).as(from.toString()).isEqualTo(403);
            assertThat(refused.body()).contains("must come from its own pages");
        }
        assertThat(stageOf(model, v1)).isEqualTo("None");
        assertThat(post(server, stage1, self, null, "stage", "Production").status()).as("no reason").isEqualTo(400);

        Page moved = post(server, stage1, self, null, "stage", "Production", "reason", "best auc so far");
        assertThat(moved.status()).isEqualTo(303);
        assertThat(moved.contentType()).as("Location").isEqualTo("/ui/model-version?name=" + q(model) + "&version=" + v1);
        assertThat(stageOf(model, v1)).isEqualTo("Production");
        // behind a proxy that sends the upstream's Host: its X-Forwarded-Host names the public origin
        Map<String, String> proxied = Map.of("Origin", "https://mlv.example.com", "X-Forwarded-Host", "mlv.example.com");
        assertThat(post(server, stage1, proxied, null, "stage", "Staging", "reason", "through the proxy").status()).isEqualTo(303);
        assertThat(post(server, stage1, Map.of("Origin", "https://mlv.example.com"), null, "stage", "Staging", "reason", "r").body())
                .contains("have it send X-Forwarded-Host");
        assertThat(post(server, stage1, self, null, "stage", "Production", "reason", "back").status()).isEqualTo(303);
        Page viaReferer = post(server, stage2, Map.of("Referer", server.url() + "/ui/model-version?name=x"), null,
                "stage", "Production", "archive_existing", "true", "reason", "v2 beats v1");
        assertThat(viaReferer.status()).isEqualTo(303);
        assertThat(stageOf(model, v2)).isEqualTo("Production");
        assertThat(stageOf(model, v1)).isEqualTo("Archived");
        assertThat(post(server, "/ui/model-version/alias?name=" + q(model) + "&version=" + v2, self, null,
                "alias", "champion", "reason", "serve v2").status()).isEqualTo(303);
        assertThat(api.ok(api.get(MLFLOW + "registered-models/alias", Map.of("name", model, "alias", "champion"))).at("/model_version/version").asText())
                .isEqualTo(v2);

        Page modelPage = get(server, "/ui/model?name=" + q(model), null);
        assertThat(modelPage.body()).contains("<option>stage:Production</option>", "<option>alias:champion</option>", "Roll back");
        assertThat(post(server, "/ui/model/rollback?name=" + q(model), self, null, "target", "stage:Production",
                "reason", "v2 misbehaves").status()).isEqualTo(303);
        assertThat(stageOf(model, v1)).isEqualTo("Production");
        assertThat(stageOf(model, v2)).isNotEqualTo("Production");
        assertThat(get(server, "/ui/model?name=" + q(model), null).body()).contains("v2 misbehaves", "best auc so far", "serve v2");
        assertThat(post(server, "/ui/model/rollback?name=" + q(model), self, null, "target", "tag:x", "reason", "r").status()).isEqualTo(400);

        // descriptions and tags, of the model and of a version; user text stays text
        assertThat(post(server, "/ui/model/describe?name=" + q(model), self, null, "description", EVIL).status()).isEqualTo(303);
        assertThat(post(server, "/ui/model/tag?name=" + q(model) + "&version=" + v2, self, null, "key", "team", "value", "fraud-ops").status())
                .isEqualTo(303);
        assertThat(post(server, "/ui/model/tag?name=" + q(model), self, null, "key", "", "value", "x").status()).as("no key").isEqualTo(400);
        assertThat(post(server, "/ui/model/describe?name=" + q(model), Map.of("Origin", "https://attacker.example"), null,
                "description", "defaced").status()).isEqualTo(403);
        assertThat(api.ok(api.get(MLFLOW + "registered-models/get", Map.of("name", model))).at("/registered_model/description").asText())
                .isEqualTo(EVIL);
        assertThat(api.ok(api.get(MLFLOW + "model-versions/get", Map.of("name", model, "version", v2))).at("/model_version/tags/0/value").asText())
                .isEqualTo("fraud-ops");
        assertThat(get(server, "/ui/model?name=" + q(model), null).body()).doesNotContain("<script>alert")
                .contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;&quot;</textarea>");
    }

    /** A server in {@code home} whose users file holds {@code names}, each with the password {@code <name>-pw}. */
    static MlvServer serverWithUsers(Path home, String... names) {
        Path users = home.resolve("users");
        for (String u : names) new UsersFile(users).create(User.withPassword(u, u + "-pw", 1_000, false), "test");
        return MlvServer.start(ServerConfig.forHome(home).withPort(0).withAuthFile(users));
    }

    @Test
    void aMoveThatNeedsFourEyesIsApprovedOnTheVersionsPageByASecondUser(@TempDir Path other) throws Exception {
        try (MlvServer s = serverWithUsers(other, "alice", "bob", "carol")) {
            RegistryHttp alice = new RegistryHttp(s, "alice", "alice-pw");
            String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "fraud"))).path("experiment_id").asText();
            alice.createModel("fraud");
            alice.version("fraud", alice.ok(alice.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText());
            alice.ok(alice.post(MLFLOW + "registered-models/set-tag", obj("name", "fraud", "key", "mlv.require_approval", "value", "Production")));
            alice.ok(alice.post(MLFLOW + "registered-models/permissions/create", obj("name", "fraud", "username", "bob", "permission", "EDIT")));
            Map<String, String> self = Map.of("Origin", s.url());
            String version = "/ui/model-version?name=fraud&version=1";

            Page asked = post(s, "/ui/model-version/stage?name=fraud&version=1", self, "alice", "stage", "Production", "reason", "ready");
            assertThat(asked.status()).isEqualTo(200);
            assertThat(asked.body()).contains("waits for a second user&#39;s approval");
            Page page = get(s, version, "bob");
            assertThat(page.body()).contains("Waiting for a second user&#39;s approval: to Production, requested by alice",
                    "action=\"/ui/model-version/approve?name=fraud&amp;version=1\"", "<input type=\"hidden\" name=\"stage\" value=\"Production\">");
            String approve = "/ui/model-version/approve?name=fraud&version=1";
            Page own = post(s, approve, self, "alice", "stage", "Production", "reason", "self-approval");
            assertThat(own.status()).isEqualTo(403);
            assertThat(post(s, approve, self, "carol", "stage", "Production", "reason", "not mine").status()).as("READ only").isEqualTo(403);
            assertThat(post(s, approve, self, "bob", "stage", "Production", "reason", "checked the metrics").status()).isEqualTo(303);
            assertThat(get(s, version, "bob").body()).contains("<td>Production</td>").doesNotContain("Waiting for");
            assertThat(get(s, "/ui/model?name=fraud", "bob").body()).contains("checked the metrics", "<td>bob</td>");
        }
    }

    @Test
    void onAServerWithUsersPagesFollowThePermissions(@TempDir Path other) throws Exception {
        try (MlvServer s = serverWithUsers(other, "alice", "carol")) {
            RegistryHttp alice = new RegistryHttp(s, "alice", "alice-pw");
            String exp = alice.ok(alice.post(MLFLOW + "experiments/create", obj("name", "secret-exp"))).path("experiment_id").asText();
            String run = alice.ok(alice.post(MLFLOW + "runs/create", obj("experiment_id", exp))).at("/run/info/run_id").asText();
            alice.createModel("secret-model");
            alice.version("secret-model", run);
            alice.ok(alice.post(MLFLOW + "experiments/permissions/create",
                    obj("experiment_id", exp, "username", "carol", "permission", "NO_PERMISSIONS")));

            assertThat(get(s, "/ui", null).status()).as("no credentials").isEqualTo(401);
            assertThat(get(s, "/ui", "alice").body()).contains("secret-exp", "secret-model");
            Page carolHome = get(s, "/ui", "carol");
            assertThat(carolHome.body()).doesNotContain("secret-exp").contains("secret-model");
            assertThat(get(s, "/ui/experiment?experiment_id=" + exp, "carol").status()).isEqualTo(403);
            assertThat(get(s, "/ui/compare?run_ids=" + run, "carol").status()).isEqualTo(403);
            assertThat(get(s, "/ui/compare?run_ids=" + run, "alice").status()).isEqualTo(200);
            assertThat(get(s, "/ui/artifact?run_id=" + run + "&path=x.txt", "carol").status()).isEqualTo(403);
            Page refused = get(s, "/ui/run?run_id=" + run, "carol");
            assertThat(refused.status()).isEqualTo(403);
            assertThat(refused.body()).contains("may not read experiment");
            Page version = get(s, "/ui/model-version?name=secret-model&version=1", "carol");
            assertThat(version.status()).isEqualTo(200);
            assertThat(version.body()).contains("you may not read its experiment").doesNotContain("/ui/run?run_id=");
            // the forms need what the API needs: EDIT on the model, as the authenticated user (who the audit log names)
            Map<String, String> self = Map.of("Origin", s.url());
            String move = "/ui/model-version/stage?name=secret-model&version=1";
            assertThat(post(s, move, self, "carol", "stage", "Staging", "reason", "carol tries").status()).isEqualTo(403);
            assertThat(post(s, move, self, "alice", "stage", "Staging", "reason", "alice stages it").status()).isEqualTo(303);
            assertThat(get(s, "/ui/model?name=secret-model", "alice").body()).contains("alice stages it", "<td>alice</td>");
        }
    }
}
