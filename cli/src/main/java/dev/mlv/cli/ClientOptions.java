package dev.mlv.cli;

import dev.mlv.client.http.RestClient;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of every command that talks to a server: {@code --tracking-uri} and {@code --json}. Use it as
 * {@code @Mixin ClientOptions client;} then {@code client.rest()} for HTTP and {@code client.output()} to print.
 */
public final class ClientOptions {
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    @Option(names = "--tracking-uri", paramLabel = "URI",
            description = "Server to talk to (default: $MLV_TRACKING_URI, then $MLFLOW_TRACKING_URI, then "
                    + RestClient.DEFAULT_TRACKING_URI + ").")
    String trackingUri;

    @Option(names = "--json", description = "Print JSON for scripts instead of a table.")
    boolean json;

    private RestClient rest;

    /** The tracking URI in effect: the flag, else the environment, else the default. */
    public String trackingUri() {
        return trackingUri != null && !trackingUri.isBlank() ? trackingUri.trim() : RestClient.trackingUriFromEnv();
    }

    /** One HTTP client per command invocation. */
    public RestClient rest() {
        if (rest == null) rest = new RestClient(trackingUri());
        return rest;
    }

    public boolean json() {
        return json;
    }

    /** Prints {@code value} (a Jackson tree, record, map or list) as JSON under {@code --json}, else the line {@code text}. */
    public void print(Object value, String text) {
        if (json) output().json(value);
        else output().println(text);
    }

    /** Under {@code --json} prints {@code {"<field>": items}} and returns true; else returns false for the caller's table. */
    public boolean printedAsJson(String field, com.fasterxml.jackson.databind.JsonNode items) {
        if (!json) return false;
        com.fasterxml.jackson.databind.node.ObjectNode out = RestClient.object();
        out.set(field, items);
        output().json(out);
        return true;
    }

    /** Prints to the command's stdout (captured in tests). */
    public Output output() {
        return new Output(mixee.commandLine().getOut());
    }
}
