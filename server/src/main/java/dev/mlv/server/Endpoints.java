package dev.mlv.server;

import io.javalin.config.RoutesConfig;
import io.javalin.http.Handler;

/**
 * A group of HTTP endpoints of one capability (tracking, artifacts, registry, data, …). {@link MlvServer} lists the
 * groups it serves; each registers its routes here.
 */
public interface Endpoints {

    String MLFLOW_API = "/api/2.0/mlflow/";
    String MLFLOW_AJAX_API = "/ajax-api/2.0/mlflow/";
    String MLV_API = "/api/2.0/mlv/";

    void register(RoutesConfig routes);

    /** Registers an MLflow REST route under both {@code /api/2.0/mlflow/} and {@code /ajax-api/2.0/mlflow/}. */
    static void mlflowGet(RoutesConfig routes, String path, Handler handler) {
        routes.get(MLFLOW_API + path, handler);
        routes.get(MLFLOW_AJAX_API + path, handler);
    }

    static void mlflowPost(RoutesConfig routes, String path, Handler handler) {
        routes.post(MLFLOW_API + path, handler);
        routes.post(MLFLOW_AJAX_API + path, handler);
    }

    static void mlflowPatch(RoutesConfig routes, String path, Handler handler) {
        routes.patch(MLFLOW_API + path, handler);
        routes.patch(MLFLOW_AJAX_API + path, handler);
    }

    static void mlflowDelete(RoutesConfig routes, String path, Handler handler) {
        routes.delete(MLFLOW_API + path, handler);
        routes.delete(MLFLOW_AJAX_API + path, handler);
    }
}
