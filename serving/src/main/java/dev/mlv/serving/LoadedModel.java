package dev.mlv.serving;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.mlv.errors.MlvException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One model version loaded into one shared ONNX Runtime session, reference-counted: the slot holds one reference,
 * every request in flight holds one, and the session is closed when the last one is released (after a swap, once the
 * requests on the old version have drained).
 */
public final class LoadedModel {
    private static final Logger LOG = LoggerFactory.getLogger(LoadedModel.class);

    /** One ONNX graph input: its name, element type and shape (-1 for free dimensions). */
    public record Input(String name, TensorInfo info) {
        public long[] shape() {
            return info.getShape();
        }
    }

    private final String name;
    private final String version;
    private final MlModel mlModel;
    private final OrtSession session;
    private final List<Input> inputs;
    private final List<String> outputNames;
    private final List<String> signatureColumns;
    private final List<String> signatureTypes;
    private final AtomicInteger refs = new AtomicInteger(1);
    /** Every output, when all are numeric tensors whose shape is known but for the batch size; else null. */
    private volatile Map<String, TensorInfo> pinnableOutputs;
    private final java.util.concurrent.ConcurrentHashMap<Thread, ScratchTensors> scratch = new java.util.concurrent.ConcurrentHashMap<>();

    private LoadedModel(String name, String version, MlModel mlModel, OrtSession session) throws OrtException {
        this.name = name;
        this.version = version;
        this.mlModel = mlModel;
        this.session = session;
        List<Input> in = new ArrayList<>();
        for (Map.Entry<String, NodeInfo> e : session.getInputInfo().entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo ti)) {
                throw MlvException.invalid("ONNX input '" + e.getKey() + "' is not a tensor; only tensor inputs are served");
            }
            in.add(new Input(e.getKey(), ti));
        }
        this.inputs = List.copyOf(in);
        this.outputNames = List.copyOf(new ArrayList<>(session.getOutputNames()));
        this.pinnableOutputs = pinnable(session.getOutputInfo());
        var sig = mlModel.signature();
        if (sig != null && sig.isColumnBased()) {
            List<String> cols = new ArrayList<>();
            List<String> types = new ArrayList<>();
            for (var spec : sig.inputs()) {
                cols.add(((dev.mlv.client.model.ColSpec) spec).name());
                types.add(((dev.mlv.client.model.ColSpec) spec).type());
            }
            this.signatureColumns = List.copyOf(cols);
            this.signatureTypes = java.util.Collections.unmodifiableList(types); // a type may be null
        } else {
            this.signatureColumns = null;
            this.signatureTypes = null;
        }
    }

    /** The input column names of a column-based signature, in order; null when the signature is not column-based. */
    public List<String> signatureColumns() {
        return signatureColumns;
    }

    /** The input column types of a column-based signature, parallel to {@link #signatureColumns()}; null likewise. */
    public List<String> signatureTypes() {
        return signatureTypes;
    }

    /** Reads the model directory and opens its ONNX session; throws {@link MlvException} when it cannot be served. */
    public static LoadedModel load(java.nio.file.Path dir, String name, String version) {
        MlModel ml = MlModel.read(dir);
        OrtSession session;
        try {
            session = OrtRuntime.open(Files.readAllBytes(ml.onnxFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + ml.onnxFile(), e);
        } catch (OrtException e) {
            throw MlvException.invalid("ONNX Runtime cannot load " + ml.onnxFile() + ": " + e.getMessage());
        }
        try {
            return new LoadedModel(name, version, ml, session);
        } catch (OrtException | RuntimeException e) {
            try {
                session.close();
            } catch (OrtException ignored) {
                // already failing
            }
            throw e instanceof RuntimeException re ? re : MlvException.invalid(e.getMessage());
        }
    }

    public String name() {
        return name;
    }

    public String version() {
        return version;
    }

    public MlModel mlModel() {
        return mlModel;
    }

    public OrtSession session() {
        return session;
    }

    public List<Input> inputs() {
        return inputs;
    }

    public List<String> outputNames() {
        return outputNames;
    }

    private static Map<String, TensorInfo> pinnable(Map<String, NodeInfo> outputs) {
        Map<String, TensorInfo> m = new LinkedHashMap<>();
        for (var e : outputs.entrySet()) {
            if (!(e.getValue().getInfo() instanceof TensorInfo t)) return null;
            if (!ScratchTensors.NUMERIC.contains(t.type)) return null;
            long[] shape = t.getShape();
            if (shape.length == 0) return null;
            for (int i = 1; i < shape.length; i++) if (shape[i] <= 0) return null;
            m.put(e.getKey(), t);
        }
        return m.isEmpty() ? null : m;
    }

    /** The outputs {@link ScratchTensors} may pre-allocate (see {@link #pinnable}); null when it must not. */
    Map<String, TensorInfo> pinnableOutputs() {
        return pinnableOutputs;
    }

    /** Stops pinning outputs, after ONNX Runtime refused tensors shaped from the model's declared output shapes. */
    void stopPinning() {
        pinnableOutputs = null;
    }

    /** The calling thread's reusable tensors for this model (closed with the session). */
    ScratchTensors scratch() {
        return scratch.computeIfAbsent(Thread.currentThread(), t -> new ScratchTensors());
    }

    /** Takes a reference for one request; false when the model is already closed (the caller re-reads the slot). */
    public boolean acquire() {
        while (true) {
            int r = refs.get();
            if (r <= 0) return false;
            if (refs.compareAndSet(r, r + 1)) return true;
        }
    }

    /** Gives a reference back; the last one closes the session. */
    public void release() {
        if (refs.decrementAndGet() == 0) {
            // no request holds a reference any more, so no thread is using its scratch tensors
            scratch.values().forEach(ScratchTensors::close);
            scratch.clear();
            try {
                session.close();
                LOG.info("Closed model {} version {}", name, version);
            } catch (OrtException e) {
                LOG.warn("Closing model {} version {} failed: {}", name, version, e.getMessage());
            }
        }
    }

    public boolean isClosed() {
        return refs.get() <= 0;
    }

    /** Input names and shapes, for messages. */
    public Map<String, String> describeInputs() {
        Map<String, String> m = new LinkedHashMap<>();
        for (Input i : inputs) m.put(i.name(), i.info().type + java.util.Arrays.toString(i.shape()));
        return m;
    }
}
