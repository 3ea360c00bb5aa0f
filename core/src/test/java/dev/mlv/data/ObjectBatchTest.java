package dev.mlv.data;

import dev.mlv.errors.MlvException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ObjectBatchTest {
    @TempDir
    Path tmp;

    private Remote.Upload object(byte[] bytes) throws IOException {
        String name = Digests.sha256(bytes);
        Path f = tmp.resolve(name);
        Files.write(f, bytes);
        return new Remote.Upload(name, f, bytes.length);
    }

    private static List<ObjectBatch.Received> readAll(byte[] body) throws IOException {
        ObjectBatch.Reader r = new ObjectBatch.Reader(new ByteArrayInputStream(body));
        List<ObjectBatch.Received> out = new ArrayList<>();
        for (ObjectBatch.Received o; (o = r.next()) != null; ) out.add(o);
        return out;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void whatIsWrittenIsReadBackObjectByObjectWithTheLengthAnnounced() throws IOException {
        List<Remote.Upload> objects = new ArrayList<>();
        Random rnd = new Random(3);
        for (int size : new int[]{0, 1, 4096, ObjectBatch.MAX_OBJECT_BYTES}) {
            byte[] b = new byte[size];
            rnd.nextBytes(b);
            objects.add(object(b));
        }
        byte[] manifest = ascii("[]");
        Path m = tmp.resolve("manifest");
        Files.write(m, manifest);
        objects.add(new Remote.Upload(Manifest.nameOf(manifest), m, manifest.length));

        byte[] body;
        try (InputStream in = ObjectBatch.open(objects)) {
            body = in.readAllBytes();
        }
        assertThat((long) body.length).isEqualTo(ObjectBatch.length(objects));
        List<ObjectBatch.Received> read = readAll(body);
        assertThat(read).extracting(ObjectBatch.Received::name).containsExactlyElementsOf(objects.stream().map(Remote.Upload::name).toList());
        for (int i = 0; i < objects.size(); i++) {
            assertThat(read.get(i).bytes()).isEqualTo(Files.readAllBytes(objects.get(i).file()));
        }
        assertThat(readAll(new byte[0])).isEmpty();
    }

    @Test
    void aFileThatNoLongerHoldsItsSizeFailsTheBody() throws IOException {
        Remote.Upload o = object(ascii("four"));
        Remote.Upload shrunk = new Remote.Upload(o.name(), o.file(), 5);
        assertThatThrownBy(() -> {
            try (InputStream in = ObjectBatch.open(List.of(shrunk))) {
                in.readAllBytes();
            }
        }).isInstanceOf(IOException.class).hasMessageContaining("expected 5");
    }

    @Test
    void badNamesSizesAndCutBodiesAreOneLineErrors() {
        String name = Digests.sha256(ascii("x"));
        String[] bad = {
                "../../etc/passwd 1\nx",                         // a path, not a name
                name.toUpperCase() + " 1\nx",                    // names are lower-case hex
                "sha256/" + name + " 1\nx",
                name + "\nx",                                    // no size
                name + " -1\nx",
                name + " 1x\nx",
                name + " " + (ObjectBatch.MAX_OBJECT_BYTES + 1) + "\n", // over the limit: refused before reading
                name + " 99999999999\n",
                name + " 5\nabc",                                // the body ends inside the bytes
                name,                                            // ... or inside the header
                name + " 1" + "0".repeat(100) + "\n",            // a header without end
                name + "\u0000 1\nx",
        };
        for (String b : bad) {
            assertThatThrownBy(() -> readAll(ascii(b))).as(b).isInstanceOf(MlvException.class)
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
        }
    }

    @Test
    void atMostMaxObjectsPerBody() throws IOException {
        byte[] one = ascii(Digests.sha256(new byte[0]) + " 0\n");
        byte[] body = new byte[one.length * (ObjectBatch.MAX_OBJECTS + 1)];
        for (int i = 0; i <= ObjectBatch.MAX_OBJECTS; i++) System.arraycopy(one, 0, body, i * one.length, one.length);
        assertThatThrownBy(() -> readAll(body)).isInstanceOf(MlvException.class).hasMessageContaining("at most " + ObjectBatch.MAX_OBJECTS);
        byte[] allowed = java.util.Arrays.copyOf(body, one.length * ObjectBatch.MAX_OBJECTS);
        assertThat(readAll(allowed)).hasSize(ObjectBatch.MAX_OBJECTS);
    }
}
