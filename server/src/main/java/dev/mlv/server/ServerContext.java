package dev.mlv.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlv.server.auth.Authorizer;
import dev.mlv.server.webhooks.WebhookDispatcher;
import dev.mlv.artifacts.ArtifactStore;
import dev.mlv.store.MetadataStore;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * What every group of endpoints needs: the stores, the JSON mapper, the metrics registry and the config; {@code access}
 * is null when the server does not authenticate its users.
 */
public record ServerContext(ServerConfig config, MetadataStore metadata, ArtifactStore artifacts, ObjectMapper json,
                            PrometheusMeterRegistry metrics, WebhookDispatcher webhooks, Authorizer access) {
}
