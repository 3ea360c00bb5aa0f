package dev.mlv.serving;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;

/**
 * The process-wide ONNX Runtime environment with global thread pools. Scoring requests are small and many, so each
 * session run uses one intra-op thread (the caller's) and concurrency comes from the HTTP threads; spinning is off so
 * idle pools don't burn CPU. {@code MLV_ORT_INTRA_OP_THREADS} overrides the intra-op pool size.
 */
public final class OrtRuntime {
    private static volatile OrtEnvironment env;

    private OrtRuntime() {
    }

    public static OrtEnvironment env() {
        OrtEnvironment e = env;
        if (e != null) return e;
        synchronized (OrtRuntime.class) {
            if (env == null) {
                int intra = intEnv("MLV_ORT_INTRA_OP_THREADS", 1);
                try (OrtEnvironment.ThreadingOptions t = new OrtEnvironment.ThreadingOptions()) {
                    t.setGlobalIntraOpNumThreads(intra);
                    t.setGlobalInterOpNumThreads(1);
                    t.setGlobalSpinControl(false);
                    env = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_WARNING, "mlv-serving", t);
                } catch (OrtException | IllegalStateException ex) {
                    // An environment already exists in this JVM (created by other code): share it.
                    env = OrtEnvironment.getEnvironment();
                }
            }
            return env;
        }
    }

    /** A session over the shared global thread pools. */
    public static OrtSession open(byte[] model) throws OrtException {
        OrtEnvironment e = env();
        try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
            try {
                o.disablePerSessionThreads();
            } catch (OrtException ignored) {
                o.setIntraOpNumThreads(1);
            }
            o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            return e.createSession(model, o);
        } catch (OrtException ex) {
            // environment without global pools: fall back to a single-threaded session
            try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
                o.setIntraOpNumThreads(1);
                o.setInterOpNumThreads(1);
                return e.createSession(model, o);
            }
        }
    }

    private static int intEnv(String name, int def) {
        String v = System.getenv(name);
        try {
            return v == null || v.isBlank() ? def : Math.max(1, Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return def;
        }
    }
}
