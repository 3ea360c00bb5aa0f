package dev.mlv.server.ui;

import dev.mlv.artifacts.ArtifactPath;
import dev.mlv.artifacts.FileInfo;
import dev.mlv.audit.AuditEvent;
import dev.mlv.audit.AuditVerification;
import dev.mlv.errors.MlvException;
import dev.mlv.lineage.LineageAssembler;
import dev.mlv.lineage.LineageJson;
import dev.mlv.permissions.ResourceType;
import dev.mlv.registry.ModelUriResolver;
import dev.mlv.registry.ModelVersion;
import dev.mlv.registry.Move;
import dev.mlv.registry.PendingTransition;
import dev.mlv.registry.RegisteredModel;
import dev.mlv.registry.RegistryStore;
import dev.mlv.registry.Stage;
import dev.mlv.server.Endpoints;
import dev.mlv.server.ServerContext;
import dev.mlv.server.artifacts.ArtifactEndpoints;
import dev.mlv.server.registry.RegistryService;
import dev.mlv.server.registry.RequestUser;
import dev.mlv.tracking.DatasetInput;
import dev.mlv.tracking.Experiment;
import dev.mlv.tracking.ExperimentQuery;
import dev.mlv.tracking.Metric;
import dev.mlv.tracking.Page;
import dev.mlv.tracking.Param;
import dev.mlv.tracking.Run;
import dev.mlv.tracking.RunInfo;
import dev.mlv.tracking.RunQuery;
import dev.mlv.tracking.Tag;
import dev.mlv.tracking.TrackingStore;
import dev.mlv.tracking.ViewType;
import io.javalin.config.Key;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;

import static dev.mlv.server.ui.Html.link;
import static dev.mlv.server.ui.Html.markup;

/**
 * A web UI for people, server-rendered HTML without scripts: experiments and their runs (parameters, metrics,
 * datasets), registered models with their versions, stages, aliases, the history of every move and the audit chain's
 * state, and each version's files with their registered digests. Three forms change the registry, each with a reason
 * for the audit log, through the same store calls, checks and permissions as the API: a version's stage ({@code POST
 * /ui/model-version/stage}, as {@code model-versions/promote}: file check, approvals), an alias ({@code POST
 * /ui/model-version/alias}), a rollback ({@code POST /ui/model/rollback}) and a second user's approval of a pending
 * move ({@code POST /ui/model-version/approve}); two more edit a model's or version's description and tags
 * ({@code POST /ui/model/describe}, {@code /ui/model/tag}). {@code BrowserSecurity} lets only the UI's own pages
 * send them.
 * <ul>
 *   <li>{@code GET /} → {@code /ui}: experiments and registered models;</li>
 *   <li>{@code GET /ui/experiment?experiment_id=…[&filter=…]}: its newest runs (those MLflow's search filter
 *       matches) with their parameters and metrics;</li>
 *   <li>{@code GET /ui/compare?run_ids=…&run_ids=…}: runs side by side (parameters and metrics, differences marked),
 *       and a chart per metric with each run's history;</li>
 *   <li>{@code GET /ui/run?run_id=…}: a run, its artifacts (downloaded through the artifact proxy), and the model
 *       versions registered from it; {@code GET /ui/artifact?run_id=…&path=…}: a text artifact shown, an image drawn;</li>
 *   <li>{@code GET /ui/model?name=…}: versions, stage and alias history, the model's audit events and whether the
 *       chain verifies; {@code GET /ui/model-version?name=…&version=…}: files, run, and the metadata JSON.</li>
 * </ul>
 * On a server with users the pages follow the same permissions as the REST API ({@code AccessRules}): a page about
 * an experiment, run or model needs {@code READ} on it, and lists leave out what the user may not read.
 */
public final class UiEndpoints implements Endpoints {
    /** Runs shown on an experiment's page, and parameter / metric columns there. */
    static final int MAX_RUNS = 200;
    static final int MAX_COLUMNS = 8;
    /** Points of a metric's history drawn on a run's page. */
    static final int MAX_POINTS = 1000;
    /** Runs compared side by side at most. */
    static final int MAX_COMPARED = 20;
    /** Audit events listed on a model's page. */
    static final int MAX_EVENTS = 500;
    /** Artifact files listed on a run's page. */
    static final int MAX_FILES = 200;
    /** Bytes of a text artifact shown on its page. */
    static final int MAX_PREVIEW_BYTES = 100 * 1024;
    private static final Set<String> TEXT = Set.of("txt", "log", "json", "jsonl", "yaml", "yml", "md", "csv", "tsv", "py",
            "java", "sql", "ini", "toml", "xml", "html", "cfg", "conf", "properties", "sh", "lock", "r", "ipynb");
    private static final Set<String> IMAGES = Set.of("png", "jpg", "jpeg", "gif", "svg", "webp", "bmp");

    /** The server's static prefix ({@code ""} for none), set by the server for the pages' links. */
    public static final Key<String> PREFIX = new Key<>("mlv.ui.prefix");
    /** The forms that change the registry: each a POST with the model (and version) in the query, the rest in the body. */
    public static final String MOVE_STAGE = "/ui/model-version/stage";
    public static final String SET_ALIAS = "/ui/model-version/alias";
    public static final String ROLL_BACK = "/ui/model/rollback";
    public static final String APPROVE = "/ui/model-version/approve";
    /** A model's (or, with {@code version} in the query, a version's) description and tags. */
    public static final String DESCRIBE = "/ui/model/describe";
    public static final String TAG = "/ui/model/tag";

    private final ServerContext ctx;
    private final LineageAssembler lineage;
    private final RegistryService registryService;

    public UiEndpoints(ServerContext ctx) {
        this.ctx = ctx;
        var metadata = ctx.metadata();
        this.lineage = new LineageAssembler(metadata.registry(), metadata.tracking(), ctx.artifacts(),
                new ModelUriResolver(metadata.registry(), metadata.tracking(), ctx.artifacts()));
        this.registryService = new RegistryService(metadata.registry(), metadata.tracking(), ctx.artifacts());
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/", cx -> cx.redirect(cx.appData(PREFIX) + "/ui"));
        routes.get("/ui", this::home);
        routes.get("/ui/experiment", this::experiment);
        routes.get("/ui/run", this::run);
        routes.get("/ui/artifact", this::artifact);
        routes.get("/ui/compare", this::compare);
        routes.get("/ui/model", this::model);
        routes.get("/ui/model-version", this::version);
        routes.post(MOVE_STAGE, this::moveStage);
        routes.post(SET_ALIAS, this::setAlias);
        routes.post(ROLL_BACK, this::rollBack);
        routes.post(APPROVE, this::approve);
        routes.post(DESCRIBE, this::describe);
        routes.post(TAG, this::tag);
    }

    private TrackingStore tracking() {
        return ctx.metadata().tracking();
    }

    private RegistryStore registry() {
        return ctx.metadata().registry();
    }

    /** Whether the request's user may read the resource (always, on a server without users). */
    private boolean visible(Context cx, ResourceType type, String id) {
        return ctx.access() == null || ctx.access().mayRead(cx, type, id);
    }

    private static String param(Context cx, String name) {
        String v = cx.queryParam(name);
        if (v == null || v.isBlank()) throw MlvException.invalid("Missing value for required parameter '" + name + "'");
        return v;
    }

    private static void send(Context cx, Html page) {
        cx.contentType("text/html; charset=utf-8").result(prefixed(cx, page.done()));
    }

    /** {@code html} with the static prefix put in front of every link (each an attribute starting with '/'; user text is escaped). */
    private static String prefixed(Context cx, String html) {
        String prefix = cx.appData(PREFIX);
        if (prefix.isEmpty()) return html;
        for (String attribute : List.of("href=\"/", "src=\"/", "action=\"/")) html = html.replace(attribute, attribute + prefix.substring(1) + "/");
        return html;
    }

    private void home(Context cx) {
        Html page = new Html("Experiments and models");
        List<List<Object>> experiments = new ArrayList<>();
        for (Experiment e : tracking().searchExperiments(new ExperimentQuery(null, List.of("last_update_time DESC"),
                ExperimentQuery.DEFAULT_MAX_RESULTS, null, ViewType.ACTIVE_ONLY)).items()) {
            if (!visible(cx, ResourceType.EXPERIMENT, e.experimentId())) continue;
            experiments.add(List.of(markup(link(e.name(), "/ui/experiment", "experiment_id", e.experimentId())), e.experimentId(),
                    Html.time(e.creationTime()), Html.time(e.lastUpdateTime())));
        }
        page.h2("Experiments").table(List.of("Name", "ID", "Created", "Last updated"), experiments, "No experiments.");
        List<List<Object>> models = new ArrayList<>();
        for (RegisteredModel m : registry().searchRegisteredModels(null, 1000, List.of("name ASC"), null).items()) {
            if (!visible(cx, ResourceType.REGISTERED_MODEL, m.name())) continue;
            List<String> stages = new ArrayList<>();
            for (ModelVersion v : m.latestVersions()) stages.add(v.currentStage().display() + ": v" + v.version());
            List<String> aliases = new ArrayList<>();
            m.aliases().forEach((alias, version) -> aliases.add("@" + alias + " → v" + version));
            models.add(List.of(markup(link(m.name(), "/ui/model", "name", m.name())), String.join(", ", stages),
                    String.join(", ", aliases), Html.time(m.lastUpdatedTimestamp())));
        }
        page.h2("Registered models").table(List.of("Name", "Latest versions", "Aliases", "Last updated"), models,
                "No registered models.");
        send(cx, page);
    }

    private void experiment(Context cx) {
        Experiment e = tracking().getExperiment(param(cx, "experiment_id"));
        Html page = new Html(e.name(), link("Home", "/ui"));
        page.fields(List.of(List.of("ID", e.experimentId()), List.of("Artifact location", e.artifactLocation()),
                List.of("Lifecycle", e.lifecycleStage().wire()), List.of("Created", Html.time(e.creationTime()))));
        tagsTable(page, e.tags());
        String filter = cx.queryParam("filter");
        page.form("/ui/experiment", "experiment_id", e.experimentId(), "filter", filter,
                "metrics.auc > 0.9 AND params.lr = '0.1'");
        List<Run> runs = tracking().searchRuns(new RunQuery(List.of(e.experimentId()), filter == null || filter.isBlank() ? null : filter,
                List.of("attributes.start_time DESC"), MAX_RUNS, null, ViewType.ACTIVE_ONLY)).items();
        TreeSet<String> paramKeys = new TreeSet<>();
        TreeSet<String> metricKeys = new TreeSet<>();
        for (Run r : runs) {
            r.params().forEach(p -> paramKeys.add(p.key()));
            r.latestMetrics().forEach(m -> metricKeys.add(m.key()));
        }
        List<String> params = paramKeys.stream().limit(MAX_COLUMNS).toList();
        List<String> metrics = metricKeys.stream().limit(MAX_COLUMNS).toList();
        List<String> headers = new ArrayList<>(List.of("", "Run", "Status", "User", "Started", "Duration"));
        params.forEach(k -> headers.add("param: " + k));
        metrics.forEach(k -> headers.add("metric: " + k));
        List<List<Object>> rows = new ArrayList<>();
        for (Run r : runs) {
            RunInfo i = r.info();
            List<Object> row = new ArrayList<>(List.of(Html.checkbox("run_ids", i.runId()),
                    markup(link(runName(i), "/ui/run", "run_id", i.runId())), i.status().name(),
                    nz(i.userId()), Html.time(i.startTime()), Html.duration(i.startTime(), i.endTime())));
            for (String k : params) row.add(r.params().stream().filter(p -> p.key().equals(k)).map(Param::value).findFirst().orElse(""));
            for (String k : metrics) {
                row.add(r.latestMetrics().stream().filter(m -> m.key().equals(k)).findFirst().<Object>map(Metric::value).orElse(""));
            }
            rows.add(row);
        }
        page.h2("Runs (newest first" + (runs.size() == MAX_RUNS ? ", the first " + MAX_RUNS : "") + ")").startForm("/ui/compare")
                .table(headers, rows, filter == null || filter.isBlank() ? "No runs yet." : "No run matches the filter.")
                .endForm("Compare the selected runs");
        if (paramKeys.size() > MAX_COLUMNS || metricKeys.size() > MAX_COLUMNS) {
            page.muted("Each run's page shows all of its parameters and metrics.");
        }
        send(cx, page);
    }

    /** Runs side by side: their parameters and latest metrics, a row per key, the rows that differ marked. */
    private void compare(Context cx) {
        List<String> ids = cx.queryParams("run_ids").stream().distinct().toList();
        if (ids.isEmpty()) throw MlvException.invalid("Select at least one run to compare (parameter 'run_ids')");
        if (ids.size() > MAX_COMPARED) throw MlvException.invalid("At most " + MAX_COMPARED + " runs can be compared at once, got " + ids.size());
        List<Run> runs = ids.stream().map(tracking()::getRun).toList();
        Html page = new Html("Compare " + runs.size() + " runs", link("Home", "/ui"));
        List<String> headers = new ArrayList<>(List.of("Key"));
        List<Object> names = new ArrayList<>(List.of("Run"));
        List<Object> experiments = new ArrayList<>(List.of("Experiment"));
        for (Run r : runs) {
            headers.add(runName(r.info()));
            names.add(markup(link(runName(r.info()), "/ui/run", "run_id", r.info().runId())));
            experiments.add(r.info().experimentId());
        }
        page.table(List.of(), List.of(names, experiments), "");
        page.h2("Parameters").table(headers, sideBySide(runs, r -> r.params().stream()
                .collect(Collectors.toMap(Param::key, p -> (Object) p.value()))), "No parameters.");
        page.h2("Metrics (latest values)").table(headers, sideBySide(runs, r -> r.latestMetrics().stream()
                .collect(Collectors.toMap(Metric::key, m -> (Object) m.value()))), "No metrics.");
        page.muted("Keys in bold differ between the runs.");
        charts(page, runs);
        send(cx, page);
    }

    /** A chart per metric (the first {@value #MAX_COLUMNS} by name), each run's history a line of its own. */
    private void charts(Html page, List<Run> runs) {
        TreeSet<String> keys = new TreeSet<>();
        runs.forEach(r -> r.latestMetrics().forEach(m -> keys.add(m.key())));
        if (keys.isEmpty()) return;
        page.h2("Metric charts");
        for (String key : keys.stream().limit(MAX_COLUMNS).toList()) {
            List<Html.Series> series = new ArrayList<>();
            for (Run r : runs) {
                if (r.latestMetrics().stream().noneMatch(m -> m.key().equals(key))) continue;
                series.add(new Html.Series(runName(r.info()),
                        history(r.info().runId(), key).stream().map(m -> new double[]{m.step(), m.value()}).toList()));
            }
            page.raw(Html.chart(key, series));
        }
        if (keys.size() > MAX_COLUMNS) page.muted("Charts of the first " + MAX_COLUMNS + " of " + keys.size() + " metrics.");
    }

    /** A row per key of any run: the key (bold when the runs differ), then each run's value. */
    private static List<List<Object>> sideBySide(List<Run> runs, Function<Run, Map<String, Object>> values) {
        List<Map<String, Object>> each = runs.stream().map(values).toList();
        TreeSet<String> keys = new TreeSet<>();
        each.forEach(m -> keys.addAll(m.keySet()));
        List<List<Object>> rows = new ArrayList<>();
        for (String k : keys) {
            boolean differs = each.stream().map(m -> m.get(k)).distinct().count() > 1;
            List<Object> row = new ArrayList<>(List.of(differs ? markup("<b>" + Html.esc(k) + "</b>") : k));
            for (var m : each) row.add(m.getOrDefault(k, ""));
            rows.add(row);
        }
        return rows;
    }

    private void run(Context cx) {
        Run r = tracking().getRun(param(cx, "run_id"));
        RunInfo i = r.info();
        Experiment e = tracking().getExperiment(i.experimentId());
        Html page = new Html("Run " + runName(i), link("Home", "/ui"), link(e.name(), "/ui/experiment", "experiment_id", e.experimentId()));
        page.fields(List.of(List.of("Run ID", i.runId()), List.of("Status", i.status().name()), List.of("User", nz(i.userId())),
                List.of("Started", Html.time(i.startTime())), List.of("Ended", Html.time(i.endTime())),
                List.of("Duration", Html.duration(i.startTime(), i.endTime())), List.of("Artifacts", nz(i.artifactUri()))));
        page.h2("Parameters").table(List.of("Key", "Value"),
                r.params().stream().map(p -> List.<Object>of(p.key(), p.value())).toList(), "No parameters.");
        page.h2("Metrics").table(List.of("Key", "Latest value", "Step", "Time", "History"),
                r.latestMetrics().stream().map(m -> List.<Object>of(m.key(), m.value(), m.step(), Html.time(m.timestamp()),
                        Html.sparkline(history(i.runId(), m.key()).stream().map(Metric::value).toList()))).toList(), "No metrics.");
        List<List<Object>> datasets = new ArrayList<>();
        for (DatasetInput d : r.inputs()) {
            String context = d.tags().stream().filter(t -> t.key().equals(DatasetInput.CONTEXT_TAG)).map(Tag::value).findFirst().orElse("");
            datasets.add(List.of(d.dataset().name(), markup("<code>" + Html.esc(d.dataset().digest()) + "</code>"),
                    d.dataset().sourceType(), context));
        }
        page.h2("Datasets").table(List.of("Name", "Digest", "Source type", "Context"), datasets, "No dataset inputs recorded.");
        artifactsTable(page, i.runId(), i.artifactUri());
        tagsTable(page, r.tags());
        List<List<Object>> versions = new ArrayList<>();
        for (ModelVersion v : registry().searchModelVersions("run_id = '" + i.runId() + "'", 1000, List.of(), null).items()) {
            if (!visible(cx, ResourceType.REGISTERED_MODEL, v.name())) continue;
            versions.add(List.of(markup(link(v.name() + " v" + v.version(), "/ui/model-version", "name", v.name(), "version", v.version())),
                    v.currentStage().display(), String.join(", ", v.aliases())));
        }
        page.h2("Registered as").table(List.of("Model version", "Stage", "Aliases"), versions, "Not registered as a model version.");
        send(cx, page);
    }

    private void model(Context cx) {
        RegisteredModel m = registry().getRegisteredModel(param(cx, "name"));
        Html page = new Html(m.name(), link("Home", "/ui"));
        if (m.description() != null && !m.description().isBlank()) page.text(m.description());
        List<List<Object>> rows = new ArrayList<>();
        for (ModelVersion v : versionsOf(m.name())) {
            rows.add(List.of(markup(link("v" + v.version(), "/ui/model-version", "name", m.name(), "version", v.version())),
                    v.currentStage().display(), String.join(", ", v.aliases()), Html.time(v.creationTimestamp()), nz(v.userId()),
                    v.runId() == null ? "" : markup(link(v.runId(), "/ui/run", "run_id", v.runId()))));
        }
        page.h2("Versions").table(List.of("Version", "Stage", "Aliases", "Created", "By", "Run"), rows, "No versions yet.");
        List<List<Object>> moves = new ArrayList<>();
        List<String> targets = new ArrayList<>(); // what a rollback can move: each stage and alias that moved
        for (Move mv : registry().history(m.name(), null, null)) {
            if (!targets.contains(mv.kind() + ":" + mv.key())) targets.add(mv.kind() + ":" + mv.key());
            moves.add(List.of(Html.time(mv.timestamp()), nz(mv.user()), mv.kind(), mv.key(),
                    (mv.fromVersion() == null ? "-" : mv.fromVersion()) + " → " + (mv.toVersion() == null ? "-" : mv.toVersion()),
                    nz(mv.reason())));
        }
        page.h2("History of stages and aliases (newest first)")
                .table(List.of("Time", "User", "Kind", "Key", "From → to", "Reason"), moves, "No stage or alias moves yet.");
        if (!targets.isEmpty()) {
            page.postForm(Html.href(ROLL_BACK, "name", m.name()), "Roll back", Html.select("target", targets), reasonField());
            page.muted("Roll back moves a stage or alias to the version it named before its last move; nothing is retrained.");
        }
        List<List<Object>> events = new ArrayList<>();
        var audit = registry().auditEvents(m.name(), MAX_EVENTS, null);
        for (AuditEvent ev : audit.items()) {
            events.add(List.of(ev.seq(), Html.time(ev.timestamp()), nz(ev.user()), ev.action(), nz(ev.version()), nz(ev.payload())));
        }
        page.h2("Audit events (oldest first)").table(List.of("#", "Time", "User", "Action", "Version", "Details"), events,
                "No audit events.");
        if (audit.hasNext()) {
            page.muted("The first " + MAX_EVENTS + " events; 'mlv audit log --model NAME' lists them all.");
        }
        AuditVerification a = registry().verifyAudit();
        page.line(markup(a.valid() ? "<span class=\"ok\">Audit chain verified</span> (" + a.eventsChecked() + " events)"
                : "<span class=\"bad\">Audit chain broken</span> at event " + Html.esc(a.firstInvalidSeq()) + ": " + Html.esc(a.problem())));
        tagsTable(page, m.tags());
        editForms(page, m.description(), "name", m.name());
        send(cx, page);
    }

    private void version(Context cx) throws Exception {
        ModelVersion v = registry().getModelVersion(param(cx, "name"), param(cx, "version"));
        Html page = new Html(v.name() + " v" + v.version(), link("Home", "/ui"), link(v.name(), "/ui/model", "name", v.name()));
        page.fields(List.of(List.of("Stage", v.currentStage().display()), List.of("Aliases", String.join(", ", v.aliases())),
                List.of("Source", nz(v.source())), List.of("Status", nz(v.status())), List.of("Created", Html.time(v.creationTimestamp())),
                List.of("By", nz(v.userId())), List.of("Description", nz(v.description()))));
        page.h2("Change").postForm(Html.href(MOVE_STAGE, "name", v.name(), "version", v.version()), "Move to stage",
                Html.select("stage", List.of("Production", "Staging", "Archived", "None")),
                Html.checkbox("archive_existing", "true", "archive the versions now in that stage"), reasonField());
        page.postForm(Html.href(SET_ALIAS, "name", v.name(), "version", v.version()), "Set alias",
                Html.textField("alias", "alias, e.g. champion"), reasonField());
        for (PendingTransition p : registry().pendingTransitions(v.name())) {
            if (!p.version().equals(v.version())) continue;
            page.line(markup(Html.esc("Waiting for a second user's approval: to " + p.stage().display() + ", requested by "
                    + nz(p.requestedBy()) + " ") + Html.time(p.requestedAt()).html() + Html.esc(" (" + nz(p.reason()) + ").")));
            page.postForm(Html.href(APPROVE, "name", v.name(), "version", v.version()), "Approve the move to " + p.stage().display(),
                    Html.hidden("stage", p.stage().display()), reasonField());
        }
        page.h2("Files (digests recorded at registration)").table(List.of("Path", "Size", "SHA-256"),
                registry().getModelVersionFiles(v.name(), v.version()).stream().map(f -> List.<Object>of(f.path(), f.size(),
                        markup("<code>" + Html.esc(f.sha256()) + "</code>"))).toList(), "No files recorded.");
        if (v.runId() != null) {
            Run r = tracking().getRun(v.runId());
            if (visible(cx, ResourceType.EXPERIMENT, r.info().experimentId())) {
                page.h2("Trained by run").line(markup(link(runName(r.info()), "/ui/run", "run_id", r.info().runId())));
                page.table(List.of("Parameter", "Value"), r.params().stream().map(p -> List.<Object>of(p.key(), p.value())).toList(), "");
                page.table(List.of("Metric", "Value"), r.latestMetrics().stream().map(x -> List.<Object>of(x.key(), x.value())).toList(), "");
                page.h2("Metadata (as 'mlv models metadata')");
                try {
                    page.pre(ctx.json().writerWithDefaultPrettyPrinter().writeValueAsString(LineageJson.metadata(lineage.assemble(v))));
                } catch (MlvException e) {
                    page.muted("Not available: " + e.getMessage());
                }
            } else {
                page.h2("Trained by run").muted("Run " + v.runId() + ": you may not read its experiment.");
            }
        }
        tagsTable(page, v.tags());
        editForms(page, v.description(), "name", v.name(), "version", v.version());
        send(cx, page);
    }

    /** The description and tag forms of a model's or a version's page ({@code query}: its name, and version). */
    private static void editForms(Html page, String description, String... query) {
        page.h2("Describe").postForm(Html.href(DESCRIBE, query), "Save description", Html.textArea("description", nz(description)));
        page.postForm(Html.href(TAG, query), "Set tag", Html.textField("key", "key"), Html.textField("value", "value"));
    }

    // ------------------------------------------------------------------ changes (POST forms)

    /** A stage move from the version's page, through the same promotion as the API (file check, approvals). */
    private void moveStage(Context cx) {
        String name = param(cx, "name"), version = param(cx, "version");
        Stage stage = Stage.parse(field(cx, "stage"));
        RegistryService.Promotion p = registryService.promote(name, version, stage, List.of(), List.of(), reason(cx),
                "true".equals(cx.formParam("archive_existing")), RequestUser.of(cx));
        if (p.promoted()) {
            seeOther(cx, "/ui/model-version", "name", name, "version", version);
            return;
        }
        Html page = new Html(name + " v" + version + " not moved", link("Home", "/ui"), link(name, "/ui/model", "name", name),
                link("v" + version, "/ui/model-version", "name", name, "version", version));
        page.text(p.pendingApproval() ? "The move to " + stage.display() + " waits for a second user's approval ('mlv models approve')."
                : "A check failed, so version " + version + " stays where it is:");
        page.table(List.of("Check", "Passed", "Detail"), p.checks().stream()
                .map(c -> List.<Object>of(c.gate(), c.passed() ? "yes" : "no", c.detail())).toList(), "");
        send(cx, page);
    }

    private void setAlias(Context cx) {
        String name = param(cx, "name"), version = param(cx, "version");
        registry().setAlias(name, field(cx, "alias"), version, RequestUser.of(cx), reason(cx));
        seeOther(cx, "/ui/model-version", "name", name, "version", version);
    }

    /** Target {@code stage:Production} or {@code alias:champion}, as the model's page offers them. */
    private void rollBack(Context cx) {
        String name = param(cx, "name");
        String[] target = field(cx, "target").split(":", 2);
        if (target.length != 2 || !(target[0].equals(Move.STAGE) || target[0].equals(Move.ALIAS))) {
            throw MlvException.invalid("Invalid rollback target: expected stage:NAME or alias:NAME");
        }
        String key = target[0].equals(Move.STAGE) ? Stage.parse(target[1]).display() : target[1];
        registry().rollback(name, target[0], key, RequestUser.of(cx), reason(cx));
        seeOther(cx, "/ui/model", "name", name);
    }

    /** A second user approves a pending move (four eyes); its requester may not. */
    private void approve(Context cx) {
        String name = param(cx, "name"), version = param(cx, "version");
        registryService.approve(name, version, Stage.parse(field(cx, "stage")), RequestUser.of(cx), reason(cx));
        seeOther(cx, "/ui/model-version", "name", name, "version", version);
    }

    /** A model's description, or a version's when the query names one (empty clears it). */
    private void describe(Context cx) {
        String name = param(cx, "name"), version = cx.queryParam("version");
        String description = cx.formParam("description") == null ? "" : cx.formParam("description");
        if (version == null) registry().updateRegisteredModel(name, description, RequestUser.of(cx));
        else registry().updateModelVersion(name, version, description, RequestUser.of(cx));
        backToPage(cx, name, version);
    }

    private void tag(Context cx) {
        String name = param(cx, "name"), version = cx.queryParam("version");
        Tag tag = new Tag(field(cx, "key"), cx.formParam("value") == null ? "" : cx.formParam("value"));
        if (version == null) registry().setRegisteredModelTag(name, tag, RequestUser.of(cx));
        else registry().setModelVersionTag(name, version, tag, RequestUser.of(cx));
        backToPage(cx, name, version);
    }

    private static void backToPage(Context cx, String name, String version) {
        if (version == null) seeOther(cx, "/ui/model", "name", name);
        else seeOther(cx, "/ui/model-version", "name", name, "version", version);
    }

    private static String field(Context cx, String name) {
        String v = cx.formParam(name);
        if (v == null || v.isBlank()) throw MlvException.invalid("Missing value for required field '" + name + "'");
        return v.trim();
    }

    private static Html.Markup reasonField() {
        return Html.textField("reason", "why (kept in the audit log)");
    }

    /** Every change from the UI says why: the audit log keeps it. */
    private static String reason(Context cx) {
        String v = cx.formParam("reason");
        if (v == null || v.isBlank()) throw MlvException.invalid("Say why in 'reason': the audit log keeps it with the change");
        return v.trim();
    }

    /** 303 to a page of the UI (the browser then GETs it), with the static prefix. */
    private static void seeOther(Context cx, String path, String... kv) {
        cx.redirect(cx.appData(PREFIX) + Html.href(path, kv), io.javalin.http.HttpStatus.SEE_OTHER);
    }

    /** The page of a failed request under {@code /ui}: the status and the one-line message. */
    public static String errorPage(Context cx, int status, String message) {
        return prefixed(cx, new Html("Error " + status, link("Home", "/ui")).text(message).done());
    }

    /**
     * The files under a run's artifact folder (breadth first, at most {@value #MAX_FILES}), each linked to its download
     * through the artifact proxy, which applies the same permissions.
     */
    private void artifactsTable(Html page, String runId, String artifactUri) {
        ArtifactPath root = ctx.artifacts().pathOf(artifactUri).orElse(null);
        if (root == null) {
            page.h2("Artifacts").muted("Stored outside this server: " + artifactUri);
            return;
        }
        List<List<Object>> rows = new ArrayList<>();
        ArrayDeque<ArtifactPath> folders = new ArrayDeque<>(List.of(root));
        while (!folders.isEmpty() && rows.size() < MAX_FILES) {
            for (FileInfo f : ctx.artifacts().list(folders.poll())) {
                ArtifactPath p = ArtifactPath.parse(f.path());
                if (f.isDir()) {
                    folders.add(p);
                } else if (rows.size() < MAX_FILES) {
                    String shown = root.segments().isEmpty() ? f.path() : f.path().substring(root.toString().length() + 1);
                    rows.add(List.of(markup(link(shown, "/ui/artifact", "run_id", runId, "path", shown)),
                            f.fileSize() == null ? "" : f.fileSize(),
                            markup(link("download", ArtifactEndpoints.API_PREFIX + "/" + p.toUrlPath()))));
                }
            }
        }
        page.h2("Artifacts").table(List.of("Path", "Size", ""), rows, "No artifacts.");
        if (rows.size() == MAX_FILES) page.muted("The first " + MAX_FILES + " files; 'mlv' and MLflow clients list them all.");
    }

    /**
     * One artifact of a run: text files shown (the first {@value #MAX_PREVIEW_BYTES} bytes, escaped), images drawn
     * from the artifact proxy, anything else offered for download.
     */
    private void artifact(Context cx) {
        Run r = tracking().getRun(param(cx, "run_id"));
        ArtifactPath rel = ArtifactPath.parse(param(cx, "path"));
        ArtifactPath root = ctx.artifacts().pathOf(r.info().artifactUri())
                .orElseThrow(() -> MlvException.invalid("The run's artifacts are stored outside this server: " + r.info().artifactUri()));
        ArtifactPath p = root.resolve(rel);
        FileInfo f = ctx.artifacts().stat(p).filter(i -> !i.isDir())
                .orElseThrow(() -> MlvException.notFound("No artifact file '" + rel + "' in run " + r.info().runId()));
        String download = ArtifactEndpoints.API_PREFIX + "/" + p.toUrlPath();
        Html page = new Html(rel.toString(), link("Home", "/ui"), link("Run " + runName(r.info()), "/ui/run", "run_id", r.info().runId()));
        page.line(markup(link("download", download) + (f.fileSize() == null ? "" : " · " + f.fileSize() + " bytes")));
        String ext = extension(rel.name());
        if (IMAGES.contains(ext)) {
            page.image(download, rel.name());
        } else if (TEXT.contains(ext) || rel.name().equals("MLmodel")) {
            byte[] head;
            try (InputStream in = ctx.artifacts().open(p)) {
                head = in.readNBytes(MAX_PREVIEW_BYTES + 1);
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot read " + rel, e);
            }
            boolean cut = head.length > MAX_PREVIEW_BYTES;
            page.pre(new String(head, 0, Math.min(head.length, MAX_PREVIEW_BYTES), StandardCharsets.UTF_8));
            if (cut) page.muted("The first " + MAX_PREVIEW_BYTES / 1024 + " KiB; download the file for the rest.");
        } else {
            page.muted("No preview for this kind of file.");
        }
        send(cx, page);
    }

    private static String extension(String name) {
        int dot = name.lastIndexOf('.');
        return dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** The first {@value #MAX_POINTS} values of a metric, in step order. */
    private List<Metric> history(String runId, String key) {
        return tracking().getMetricHistory(runId, key, MAX_POINTS, null).items();
    }

    /** Every version of a model, newest first. */
    private List<ModelVersion> versionsOf(String name) {
        String filter = "name = '" + name.replace("'", "''") + "'";
        return Page.all(token -> registry().searchModelVersions(filter, 1000, List.of("version_number DESC"), token));
    }

    private static void tagsTable(Html page, List<Tag> tags) {
        if (tags.isEmpty()) return;
        page.h2("Tags").table(List.of("Key", "Value"), tags.stream().map(t -> List.<Object>of(t.key(), t.value())).toList(), "");
    }

    private static String runName(RunInfo i) {
        return i.runName() == null || i.runName().isBlank() ? i.runId() : i.runName();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
