package dev.mlv.server;

import io.javalin.config.RoutesConfig;

/** {@code /health}, {@code /version} and Prometheus {@code /metrics}. */
final class OpsEndpoints implements Endpoints {
    private final ServerContext ctx;

    OpsEndpoints(ServerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void register(RoutesConfig routes) {
        routes.get("/health", cx -> cx.result("OK"));
        routes.get("/version", cx -> cx.result(MlvServer.VERSION));
        routes.get("/metrics", cx -> cx.contentType("text/plain; version=0.0.4").result(ctx.metrics().scrape()));
    }
}
