package dev.mlv.server.registry;

import dev.mlv.server.Endpoints;
import dev.mlv.server.ServerContext;
import io.javalin.config.RoutesConfig;

/** The registry's endpoint groups: MLflow's registry API ({@link RegistryEndpoints}) and mlv's extensions ({@link MlvRegistryEndpoints}). */
public final class RegistryApi implements Endpoints {
    private final RegistryEndpoints mlflow;
    private final MlvRegistryEndpoints mlv;

    public RegistryApi(ServerContext ctx) {
        RegistryService service = new RegistryService(ctx.metadata().registry(), ctx.metadata().tracking(), ctx.artifacts());
        this.mlflow = new RegistryEndpoints(ctx, service);
        this.mlv = new MlvRegistryEndpoints(ctx, service);
    }

    @Override
    public void register(RoutesConfig routes) {
        mlflow.register(routes);
        mlv.register(routes);
    }
}
