package dev.mlv.data;

import dev.mlv.errors.MlvException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;

/**
 * Several small data objects in one HTTP body, so that a push or a fetch of many small files costs one request per
 * batch instead of one per object: the body of {@code POST /api/2.0/mlv/data/objects} (an upload, made durable once
 * per batch) and the answer of {@code POST /api/2.0/mlv/data/fetch}. The body is, for each object, the
 * line {@code <name> <size>\n} (a {@link Digests} name and a decimal byte count) followed by exactly that many bytes;
 * the body ends after the last object. At most {@value #MAX_OBJECTS} objects of at most {@value #MAX_OBJECT_BYTES}
 * bytes each; anything else is a one-line {@code INVALID_PARAMETER_VALUE}.
 */
public final class ObjectBatch {
    public static final String CONTENT_TYPE = "application/x-mlv-objects";
    public static final int MAX_OBJECT_BYTES = 256 * 1024;
    public static final int MAX_OBJECTS = 1_000;
    /** A name (64 hex digits, maybe {@code .dir}), a space, up to 6 digits and the newline fit well within this. */
    private static final int MAX_HEADER_BYTES = 96;

    private ObjectBatch() {
    }

    /** One object read from a body: its name (already validated) and its bytes (not yet verified against the name). */
    public record Received(String name, byte[] bytes) {
    }

    /** The body's length for {@code objects}. */
    public static long length(List<Remote.Upload> objects) {
        long n = 0;
        for (Remote.Upload u : objects) n += header(u.name(), u.size()).length + u.size();
        return n;
    }

    /**
     * The body for {@code objects}, read from their files one at a time as it is consumed; a file that no longer holds
     * its {@code size} bytes fails the read.
     */
    public static InputStream open(List<Remote.Upload> objects) {
        return new InputStream() {
            private int next;
            private InputStream current = InputStream.nullInputStream();

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                if (len == 0) return 0;
                for (int n; ; ) {
                    if ((n = current.read(buf, off, len)) > 0) return n;
                    if (next == objects.size()) return -1;
                    current = framed(objects.get(next++));
                }
            }
        };
    }

    private static InputStream framed(Remote.Upload u) throws IOException {
        if (u.size() > MAX_OBJECT_BYTES) throw new IOException("Object " + u.name() + " is too large for a batch");
        byte[] bytes = Files.readAllBytes(u.file());
        if (bytes.length != u.size()) throw new IOException(u.file() + " holds " + bytes.length + " bytes, expected " + u.size());
        ByteArrayOutputStream framed = new ByteArrayOutputStream(bytes.length + MAX_HEADER_BYTES);
        write(framed, u.name(), bytes);
        return new ByteArrayInputStream(framed.toByteArray());
    }

    /** Writes one object of a body: its header line, then its bytes. */
    public static void write(OutputStream out, String name, byte[] bytes) throws IOException {
        if (bytes.length > MAX_OBJECT_BYTES) throw MlvException.invalid("Object " + name + " is too large for a batch");
        out.write(header(name, bytes.length));
        out.write(bytes);
    }

    private static byte[] header(String name, long size) {
        return (Digests.requireValid(name) + " " + size + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Reads the objects of a body one at a time, checking names, sizes and counts as it goes. */
    public static final class Reader {
        private final InputStream in;
        private int count;

        public Reader(InputStream in) {
            this.in = new java.io.BufferedInputStream(in, 1 << 16);
        }

        /** The next object, or null at the end of the body. */
        public Received next() throws IOException {
            byte[] line = new byte[MAX_HEADER_BYTES];
            int n = 0;
            for (int b; (b = in.read()) != '\n'; ) {
                if (b < 0) {
                    if (n == 0) return null;
                    throw MlvException.invalid("Object batch: the body ends inside the header of object " + (count + 1));
                }
                if (n == line.length) throw MlvException.invalid("Object batch: header of object " + (count + 1) + " is too long");
                line[n++] = (byte) b;
            }
            if (++count > MAX_OBJECTS) throw MlvException.invalid("Object batch: at most " + MAX_OBJECTS + " objects per request");
            String header = new String(line, 0, n, StandardCharsets.US_ASCII);
            int space = header.indexOf(' ');
            String name = Digests.requireValid(space < 0 ? header : header.substring(0, space));
            String digits = space < 0 ? "" : header.substring(space + 1);
            if (digits.isEmpty() || digits.length() > 7 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw MlvException.invalid("Object batch: expected '<name> <size>' for object " + name);
            }
            int size = Integer.parseInt(digits);
            if (size > MAX_OBJECT_BYTES) {
                throw MlvException.invalid("Object batch: object " + name + " has " + size + " bytes; at most " + MAX_OBJECT_BYTES
                        + " per object in a batch (larger ones go one by one: PUT objects/<name>)");
            }
            byte[] bytes = in.readNBytes(size);
            if (bytes.length < size) {
                throw MlvException.invalid("Object batch: the body ends after " + bytes.length + " of the " + size + " bytes of " + name);
            }
            return new Received(name, bytes);
        }
    }
}
