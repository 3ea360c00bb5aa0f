package dev.mlv.cli.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlv.cli.ClientOptions;
import dev.mlv.cli.Output;
import dev.mlv.cli.Pages;
import dev.mlv.cli.Stdin;
import dev.mlv.client.http.RestClient;
import dev.mlv.errors.MlvException;
import dev.mlv.webhooks.WebhookEvent;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/** {@code mlv webhooks create|list|update|delete|test}: where the server sends registry events (MLflow's webhooks API). */
@Command(name = "webhooks", mixinStandardHelpOptions = true,
        description = {"Send registry events (a new version, an alias set or moved, …) to CI/CD or chat by HTTP POST.",
                "Events:",
                "  registered_model.created, model_version.created,",
                "  model_version_tag.set, model_version_tag.deleted,",
                "  model_version_alias.created (set, moved or rolled back), model_version_alias.deleted"})
public final class WebhooksCommand implements Runnable {
    /** The subcommands, in the order help lists them (here rather than in {@code @Command}: see {@code Main.build}). */
    static final Class<?>[] SUBCOMMANDS = {
            CreateCmd.class,
            ListCmd.class,
            UpdateCmd.class,
            DeleteCmd.class,
            TestCmd.class,
            DeliveriesCmd.class,
            RedeliverCmd.class,
    };

    static final String API = "/api/2.0/mlflow/webhooks";
    static final String DELIVERIES = "/api/2.0/mlv/webhooks/deliveries";

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code --secret-stdin} or {@code --no-secret}. */
    static final class SecretOptions {
        @Option(names = "--secret-stdin", description = "Read the signing secret from the first line of standard input: "
                + "each delivery then carries X-MLflow-Signature (v1, HMAC-SHA256), for the receiver to verify.")
        boolean fromStdin;

        @Option(names = "--no-secret", description = "Remove the signing secret.")
        boolean none;

        /** The secret to send: read, "" to remove it, or null to leave it. */
        String value() {
            if (fromStdin) return Stdin.firstLine("secret");
            return none ? "" : null;
        }
    }

    static ArrayNode events(List<String> names) {
        ArrayNode a = RestClient.json().createArrayNode();
        for (String n : names) {
            WebhookEvent e = WebhookEvent.parse(n.trim());
            a.addObject().put("entity", e.protoEntity()).put("action", e.protoAction());
        }
        return a;
    }

    static String eventNames(JsonNode webhook) {
        List<String> out = new ArrayList<>();
        for (JsonNode e : webhook.path("events")) {
            out.add(WebhookEvent.of(e.path("entity").asText(), e.path("action").asText()).toString());
        }
        return String.join(",", out);
    }

    /** {@code HTTP <status>} when the receiver answered, else the error of the attempt. */
    static String answer(JsonNode attempt, String statusField, String errorField) {
        return attempt.has(statusField) ? "HTTP " + attempt.path(statusField).asInt() : Output.text(attempt, errorField);
    }

    static void show(ClientOptions client, JsonNode reply, String verb) {
        JsonNode w = reply.path("webhook");
        client.print(reply, verb + " webhook " + Output.text(w, "webhook_id") + " (" + Output.text(w, "name") + "): "
                + Output.text(w, "status") + ", " + eventNames(w) + " → " + Output.text(w, "url"));
    }

    @Command(name = "create", mixinStandardHelpOptions = true, description = {
            "Register a webhook: the server POSTs each chosen event to URL as JSON.",
            "URLs must be https and reach a public address unless the server allows more",
            "(MLV_WEBHOOK_ALLOWED_SCHEMES, MLV_WEBHOOK_ALLOW_PRIVATE_IPS).",
            "Examples:",
            "  mlv webhooks create deploy https://ci.example.com/hooks/mlv \\",
            "      --event model_version_alias.created --secret-stdin < secret.txt",
            "  mlv webhooks create audit https://chat.example.com/in \\",
            "      --event model_version.created,model_version_tag.set"})
    static final class CreateCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(index = "0", paramLabel = "NAME", description = "A name for people.")
        String name;

        @Parameters(index = "1", paramLabel = "URL", description = "Where to POST the events.")
        String url;

        @Option(names = {"-e", "--event"}, required = true, paramLabel = "EVENT", split = ",",
                description = "An event to send (repeat, or separate with commas).")
        List<String> events;

        @Option(names = {"-d", "--description"}, paramLabel = "TEXT", description = "What it is for.")
        String description;

        @Option(names = "--secret-stdin", description = "Read the signing secret from the first line of standard input: "
                + "each delivery then carries X-MLflow-Signature (v1, HMAC-SHA256), for the receiver to verify.")
        boolean secretStdin;

        @Option(names = "--disabled", description = "Create it disabled (enable it later with 'update --enable').")
        boolean disabled;

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object().put("name", name).put("url", url);
            body.set("events", events(events));
            if (description != null) body.put("description", description);
            if (secretStdin) body.put("secret", Stdin.firstLine("secret"));
            body.put("status", disabled ? "DISABLED" : "ACTIVE");
            show(client, client.rest().post(API, body), "Created");
            return 0;
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List the webhooks, newest first.")
    static final class ListCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Override
        public Integer call() {
            ArrayNode hooks = Pages.collectGet(client.rest(), API, RestClient.object(), "webhooks", null);
            if (client.printedAsJson("webhooks", hooks)) return 0;
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode w : hooks) {
                rows.add(List.of(Output.text(w, "webhook_id"), Output.text(w, "name"), Output.text(w, "status"),
                        eventNames(w), Output.text(w, "url")));
            }
            client.output().table(List.of("ID", "NAME", "STATUS", "EVENTS", "URL"), rows,
                    "No webhooks (add one with 'mlv webhooks create').");
            return 0;
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true, description = {
            "Change a webhook: only what is given changes.",
            "Examples:",
            "  mlv webhooks update 3f2a… --disable",
            "  mlv webhooks update 3f2a… --url https://ci.example.com/v2 --event model_version.created"})
    static final class UpdateCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID", description = "The webhook's id (see 'mlv webhooks list').")
        String id;

        @Option(names = "--name", paramLabel = "NAME")
        String name;

        @Option(names = "--url", paramLabel = "URL")
        String url;

        @Option(names = {"-e", "--event"}, paramLabel = "EVENT", split = ",", description = "Replaces the events (repeat).")
        List<String> events;

        @Option(names = {"-d", "--description"}, paramLabel = "TEXT")
        String description;

        @ArgGroup(exclusive = true)
        SecretOptions secret;

        @ArgGroup(exclusive = true)
        Status status;

        static final class Status {
            @Option(names = "--enable", description = "Deliver events again.")
            boolean enable;

            @Option(names = "--disable", description = "Stop delivering events, keeping the webhook.")
            boolean disable;
        }

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object();
            if (name != null) body.put("name", name);
            if (url != null) body.put("url", url);
            if (events != null) body.set("events", events(events));
            if (description != null) body.put("description", description);
            String s = secret == null ? null : secret.value();
            if (s != null) body.put("secret", s);
            if (status != null) body.put("status", status.enable ? "ACTIVE" : "DISABLED");
            if (body.isEmpty()) throw MlvException.invalid("Nothing to change: give at least one option");
            show(client, client.rest().patch(API + "/" + RestClient.enc(id), body), "Updated");
            return 0;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete a webhook.")
    static final class DeleteCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Override
        public Integer call() {
            client.rest().delete(API + "/" + RestClient.enc(id), null);
            client.print(Map.of("webhook_id", id, "deleted", true), "Deleted webhook " + id);
            return 0;
        }
    }

    @Command(name = "test", mixinStandardHelpOptions = true, description = {
            "Send an example event to a webhook now and show what its receiver answered.",
            "Exit 0 when it answered 2xx or 3xx, else 1."})
    static final class TestCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = {"-e", "--event"}, paramLabel = "EVENT",
                description = "The event to send an example of (default: the webhook's first).")
        String event;

        @Override
        public Integer call() {
            ObjectNode body = RestClient.object();
            if (event != null) body.set("event", events(List.of(event)).get(0));
            JsonNode reply = client.rest().post(API + "/" + RestClient.enc(id) + "/test", body);
            JsonNode r = reply.path("result");
            boolean ok = r.path("success").asBoolean(false);
            String answer = answer(r, "response_status", "error_message");
            String said = Output.text(r, "response_body");
            client.print(reply, (ok ? "Delivered: " : "Failed: ") + answer
                    + (said.isBlank() ? "" : " " + said.lines().limit(3).collect(Collectors.joining(" "))));
            return ok ? 0 : 1;
        }
    }

    @Command(name = "deliveries", mixinStandardHelpOptions = true, description = {
            "What was sent to a webhook, newest first: each event, its attempts and the last answer.",
            "Deliveries wait in the database until sent, and are retried after errors; finished ones are kept 30 days."})
    static final class DeliveriesCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "ID")
        String id;

        @Option(names = "--max-results", paramLabel = "N", description = "At most N deliveries (default: all).")
        Integer maxResults;

        @Override
        public Integer call() {
            if (maxResults != null && maxResults < 1) throw MlvException.invalid("--max-results must be at least 1");
            ArrayNode all = Pages.collectGet(client.rest(), DELIVERIES, RestClient.object().put("webhook_id", id),
                    "deliveries", maxResults);
            if (client.printedAsJson("deliveries", all)) return 0;
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode d : all) {
                String answer = answer(d, "last_status", "last_error");
                rows.add(List.of(Output.time(d.path("created_timestamp").asLong()), Output.text(d, "event"),
                        Output.text(d, "status"), Output.text(d, "attempts"), answer, Output.text(d, "delivery_id")));
            }
            client.output().table(List.of("TIME", "EVENT", "STATUS", "ATTEMPTS", "LAST ANSWER", "DELIVERY ID"), rows,
                    "No deliveries yet.");
            return 0;
        }
    }

    @Command(name = "redeliver", mixinStandardHelpOptions = true, description = {
            "Send a finished delivery again (a receiver that was down missed it), with its retries afresh.",
            "Example: mlv webhooks redeliver 5d0c…   (ids: 'mlv webhooks deliveries WEBHOOK_ID')"})
    static final class RedeliverCmd implements Callable<Integer> {
        @Mixin
        ClientOptions client;

        @Parameters(paramLabel = "DELIVERY_ID")
        String id;

        @Override
        public Integer call() {
            JsonNode r = client.rest().post(DELIVERIES + "/redeliver", RestClient.object().put("delivery_id", id));
            JsonNode d = r.path("delivery");
            client.print(r, "Queued again: " + Output.text(d, "event") + " for webhook " + Output.text(d, "webhook_id")
                    + " (delivery " + id + ")");
            return 0;
        }
    }
}
