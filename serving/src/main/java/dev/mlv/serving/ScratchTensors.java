package dev.mlv.serving;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.TensorInfo;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One thread's reusable tensors for one loaded model, over direct memory: an input tensor per model input that each
 * request refills, and output tensors ONNX Runtime writes into ("pinned" outputs) when every output is a numeric
 * tensor whose shape follows from the batch size. For a small model, wrapping fresh native tensors and converting the
 * results through JNI costs more than running the model. Tensors of more than {@link #KEEP} bytes are made for one
 * request and closed by {@link #endRequest}, so a thread keeps little memory. Confined to its thread; closed with the
 * model's session.
 */
final class ScratchTensors implements AutoCloseable {
    static final int KEEP = 64 * 1024;
    /** The element types whose outputs are pinned and read straight from a buffer. */
    static final java.util.Set<OnnxJavaType> NUMERIC =
            java.util.EnumSet.of(OnnxJavaType.FLOAT, OnnxJavaType.DOUBLE, OnnxJavaType.INT64, OnnxJavaType.INT32);

    private record Slot(OnnxJavaType type, long[] shape, ByteBuffer buffer, OnnxTensor tensor) {
    }

    private final Map<String, Slot> inputs = new HashMap<>();
    private final List<OnnxTensor> oneOff = new ArrayList<>();
    private Map<String, OnnxTensor> outputs;
    private long outputRows = -1;

    /**
     * The tensor for input {@code name} with the given element type and shape, its {@code bytes} of memory written by
     * {@code fill} (native byte order, position 0).
     */
    OnnxTensor input(String name, OnnxJavaType type, long[] shape, int bytes, Consumer<ByteBuffer> fill) throws OrtException {
        if (bytes > KEEP) {
            ByteBuffer b = direct(bytes);
            fill.accept(b.duplicate().order(ByteOrder.nativeOrder()));
            return oneOff(wrap(type, b, shape));
        }
        Slot s = inputs.get(name);
        if (s == null || s.type() != type || !Arrays.equals(s.shape(), shape)) {
            if (s != null) s.tensor().close();
            ByteBuffer b = direct(bytes);
            s = new Slot(type, shape.clone(), b, wrap(type, b, shape));
            inputs.put(name, s);
        }
        fill.accept(s.buffer().duplicate().order(ByteOrder.nativeOrder()));
        return s.tensor();
    }

    /**
     * Output tensors for a batch of {@code rows} rows, or null when the model's outputs cannot be known in advance
     * ({@link LoadedModel#pinnableOutputs}) or would be large.
     */
    Map<String, OnnxTensor> outputs(LoadedModel m, long rows) throws OrtException {
        Map<String, TensorInfo> specs = m.pinnableOutputs();
        if (specs == null) return null;
        if (rows == outputRows) return outputs;
        closeOutputs();
        Map<String, OnnxTensor> made = new LinkedHashMap<>();
        try {
            for (var e : specs.entrySet()) {
                long[] shape = e.getValue().getShape().clone();
                if (shape[0] < 0) shape[0] = rows;
                else if (shape[0] != rows) return null;
                long bytes = (long) e.getValue().type.size;
                for (long d : shape) bytes *= d;
                if (bytes > KEEP) return null;
                made.put(e.getKey(), wrap(e.getValue().type, direct((int) bytes), shape));
            }
            outputs = made;
            outputRows = rows;
            return made;
        } finally {
            if (outputs != made) for (OnnxTensor t : made.values()) t.close();
        }
    }

    /** Whether {@code v} is one of this thread's pinned output tensors (whose memory it may read directly). */
    boolean isPinned(Object v) {
        return outputs != null && outputs.containsValue(v);
    }

    /** Registers a tensor made for this request only (e.g. of strings), closed by {@link #endRequest}. */
    OnnxTensor oneOff(OnnxTensor t) {
        oneOff.add(t);
        return t;
    }

    /** Closes the tensors made for this request only. */
    void endRequest() {
        for (OnnxTensor t : oneOff) t.close();
        oneOff.clear();
    }

    @Override
    public void close() {
        endRequest();
        for (Slot s : inputs.values()) s.tensor().close();
        inputs.clear();
        closeOutputs();
    }

    private void closeOutputs() {
        if (outputs != null) for (OnnxTensor t : outputs.values()) t.close();
        outputs = null;
        outputRows = -1;
    }

    private static ByteBuffer direct(int bytes) {
        return ByteBuffer.allocateDirect(Math.max(bytes, 1)).order(ByteOrder.nativeOrder()).limit(bytes);
    }

    private static OnnxTensor wrap(OnnxJavaType type, ByteBuffer b, long[] shape) throws OrtException {
        OrtEnvironment env = OrtRuntime.env();
        return switch (type) {
            case FLOAT -> OnnxTensor.createTensor(env, b.asFloatBuffer(), shape);
            case DOUBLE -> OnnxTensor.createTensor(env, b.asDoubleBuffer(), shape);
            case INT64 -> OnnxTensor.createTensor(env, b.asLongBuffer(), shape);
            case INT32 -> OnnxTensor.createTensor(env, b.asIntBuffer(), shape);
            default -> OnnxTensor.createTensor(env, b, shape, type); // BOOL and the byte-sized types
        };
    }
}
