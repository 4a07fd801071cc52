package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the container runs, run outside a container: {@code scripts/run-fastjar.sh} starts the fast-jar with the JVM
 * flags and environment it reads from {@code docker/Dockerfile.jvm}. The service must come up on an empty data
 * directory with every probe UP, take a lock, and stop cleanly on SIGTERM (what {@code docker stop} sends), leaving
 * no lock file behind.
 */
class FastJarScriptIT {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path temp;

    @Test
    void theContainerCommandServesAndStopsCleanlyOnSigterm() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path data = temp.resolve("data");
        ProcessBuilder pb = new ProcessBuilder("bash", "scripts/run-fastjar.sh")
                .redirectErrorStream(true).redirectOutput(temp.resolve("run.log").toFile());
        pb.environment().put("HASP_DATA_DIR", data.toString());
        pb.environment().put("HASP_ADMIN_TOKEN", "fastjar-admin-token-0123456789");
        pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        Process service = pb.start();
        try {
            String base = "http://127.0.0.1:" + port;
            // ready, or dead (then the assertion below shows the log)
            int ready = Awaitility.await("ready or exited").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> service.isAlive() ? status(base + "/q/health/ready") : -1,
                            status -> status == 200 || !service.isAlive());
            assertEquals(200, ready, "ready; log: " + Files.readString(temp.resolve("run.log")));
            assertEquals(200, status(base + "/q/health/started"));
            assertEquals(200, status(base + "/q/health/live"));
            assertTrue(Files.isDirectory(data), "the data directory was created from HASP_DATA_DIR");

            HttpResponse<String> grant = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/v1/locks/fastjar"))
                    .header("Authorization", "Bearer fastjar-admin-token-0123456789")
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, grant.statusCode(), grant.body());
            String lockId = grant.body().replaceAll(".*\"lockId\":\"([0-9a-f]+)\".*", "$1");
            HttpResponse<String> released = HTTP.send(HttpRequest.newBuilder(
                            URI.create(base + "/v1/locks/fastjar/" + lockId))
                    .header("Authorization", "Bearer fastjar-admin-token-0123456789").DELETE().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(204, released.statusCode());

            service.destroy(); // SIGTERM, as docker stop sends first
            assertTrue(service.waitFor(30, TimeUnit.SECONDS), "stopped within the grace period");
            int code = service.exitValue();
            assertTrue(code == 0 || code == 143, "a clean stop (0) or the JVM's exit on SIGTERM (128 + 15): " + code);
            assertTrue(Files.notExists(data.resolve("locks/fastjar.lock")), "no lock file left behind");
        } finally {
            service.destroyForcibly();
        }
    }

    private static int status(String url) throws InterruptedException {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
