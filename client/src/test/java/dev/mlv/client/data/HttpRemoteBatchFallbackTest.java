package dev.mlv.client.data;

import com.sun.net.httpserver.HttpServer;
import dev.mlv.client.http.RestClient;
import dev.mlv.data.Digests;
import dev.mlv.data.Remote;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A server from before batched transfers answers {@code POST objects} and {@code POST fetch} with MLflow's 404: the
 * remote then sends and asks for the objects one by one, for that batch and the rest of the transfer. (The server here only has the routes such a server had.)
 */
class HttpRemoteBatchFallbackTest {
    @TempDir
    Path tmp;

    @Test
    void aServerWithoutTheBatchEndpointsGetsTheObjectsOneByOne() throws Exception {
        Map<String, byte[]> stored = new ConcurrentHashMap<>();
        AtomicInteger batchRequests = new AtomicInteger();
        HttpServer older = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        older.createContext(HttpRemote.BASE, exchange -> {
            String path = exchange.getRequestURI().getPath();
            byte[] answer;
            int status;
            if (exchange.getRequestMethod().equals("PUT") && path.startsWith(HttpRemote.BASE + "objects/")) {
                stored.put(path.substring(path.lastIndexOf('/') + 1), exchange.getRequestBody().readAllBytes());
                status = 200;
                answer = "{}".getBytes(StandardCharsets.UTF_8);
            } else if (exchange.getRequestMethod().equals("GET") && stored.containsKey(path.substring(path.lastIndexOf('/') + 1))) {
                status = 200;
                answer = stored.get(path.substring(path.lastIndexOf('/') + 1));
            } else {
                if (exchange.getRequestMethod().equals("POST")) batchRequests.incrementAndGet();
                exchange.getRequestBody().readAllBytes();
                status = 404;
                answer = ("{\"error_code\": \"ENDPOINT_NOT_FOUND\", \"message\": \"No endpoint " + exchange.getRequestMethod()
                        + " " + path + "\"}").getBytes(StandardCharsets.UTF_8);
            }
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        older.start();
        try {
            HttpRemote remote = new HttpRemote(new RestClient("http://127.0.0.1:" + older.getAddress().getPort()));
            assertThat(remote.batchSize()).isGreaterThan(1);
            List<Remote.Upload> objects = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                byte[] b = ("object " + i).getBytes(StandardCharsets.UTF_8);
                String name = Digests.sha256(b);
                objects.add(new Remote.Upload(name, Files.write(tmp.resolve(name), b), b.length));
            }
            remote.uploadAll(objects.subList(0, 2));
            assertThat(remote.batchSize()).isEqualTo(1);
            remote.uploadAll(objects.subList(2, 3));
            assertThat(batchRequests).hasValue(1);
            assertThat(stored).hasSize(3);
            for (Remote.Upload u : objects) assertThat(stored.get(u.name())).isEqualTo(Files.readAllBytes(u.file()));

            HttpRemote fetching = new HttpRemote(new RestClient("http://127.0.0.1:" + older.getAddress().getPort()));
            Map<String, byte[]> got = new ConcurrentHashMap<>();
            fetching.openAll(objects.stream().map(Remote.Upload::name).toList(), (name, in) -> {
                try {
                    got.put(name, in.readAllBytes());
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(batchRequests).hasValue(2);
            assertThat(fetching.batchSize()).isEqualTo(1);
            assertThat(got.keySet()).isEqualTo(stored.keySet());
        } finally {
            older.stop(0);
        }
    }
}
