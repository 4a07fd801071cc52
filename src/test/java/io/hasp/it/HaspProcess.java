package io.hasp.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * One Hasp service process started from {@code target/quarkus-app/quarkus-run.jar} on a free port and a given data
 * directory, for tests of several replicas sharing one directory. Every wait is bounded.
 */
final class HaspProcess implements AutoCloseable {

    static final String ADMIN_TOKEN = "it-admin-token-0123456789";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process process;
    private final int port;

    private HaspProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts a replica on {@code dataDir} with the admin token {@link #ADMIN_TOKEN}, and waits until it is ready. */
    static HaspProcess start(String label, Path dataDir) throws Exception {
        return start(label, dataDir, Map.of());
    }

    /**
     * Starts a replica on {@code dataDir} with the admin token {@link #ADMIN_TOKEN} and extra system properties, and
     * waits until it is ready.
     */
    static HaspProcess start(String label, Path dataDir, Map<String, String> properties) throws Exception {
        List<String> options = new ArrayList<>();
        options.add("-Dhasp.admin-token=" + ADMIN_TOKEN);
        properties.forEach((k, v) -> options.add("-D" + k + "=" + v));
        return start(label, dataDir, freePort(), options);
    }

    /**
     * Starts a replica on {@code dataDir} and {@code port} with the extra system properties {@code options}
     * ({@code -Dkey=value}; without {@code hasp.admin-token} it reads or generates {@code <data>/admin.token}), and
     * waits until it is ready. Its output goes to {@code target/it-logs/<label>-<port>.log}.
     */
    static HaspProcess start(String label, Path dataDir, int port, List<String> options) throws Exception {
        Path jar = Path.of(System.getProperty("hasp.runner.jar", "target/quarkus-app/quarkus-run.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: run the package phase first");
        }
        Path logs = Path.of("target", "it-logs");
        Files.createDirectories(logs);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx256m",
                "-Dquarkus.http.port=" + port, "-Dhasp.data-dir=" + dataDir.toAbsolutePath(),
                "-Dhasp.sweep.interval=1s", "-Dquarkus.log.category.\"io.hasp\".level=DEBUG"));
        command.addAll(options);
        command.addAll(List.of("-jar", jar.toAbsolutePath().toString()));
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logs.resolve(label + "-" + port + ".log").toFile()));
        HaspProcess p = new HaspProcess(pb.start(), port);
        p.awaitReady();
        return p;
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("replica on port " + port + " exited with " + process.exitValue());
            }
            try {
                if (send("GET", "/q/health/ready", null).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        process.destroyForcibly();
        throw new IllegalStateException("replica on port " + port + " not ready within " + START_TIMEOUT);
    }

    /** A port nobody listens on at the moment of the call. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    long pid() {
        return process.pid();
    }

    int port() {
        return port;
    }

    HttpResponse<String> send(String method, String path, Object body) throws IOException, InterruptedException {
        return HTTP.send(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends without waiting for the answer. */
    CompletableFuture<HttpResponse<String>> sendAsync(String method, String path, Object body) throws IOException {
        return HTTP.sendAsync(request(method, path, body), HttpResponse.BodyHandlers.ofString());
    }

    /** Sends {@code body} as it is, of type {@code contentType}, without waiting for the answer. */
    CompletableFuture<HttpResponse<String>> sendRawAsync(String method, String path, String contentType, String body) {
        return HTTP.sendAsync(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(300))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", contentType)
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest request(String method, String path, Object body) throws IOException {
        HttpRequest.BodyPublisher publisher = body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
        return HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + ADMIN_TOKEN).header("Content-Type", "application/json")
                .method(method, publisher).build();
    }

    /** Sends and parses the JSON answer, after checking its status. */
    JsonNode call(int expectedStatus, String method, String path, Map<String, ?> body) throws Exception {
        HttpResponse<String> r = send(method, path, body);
        if (r.statusCode() != expectedStatus) {
            throw new AssertionError(method + " " + path + ": expected " + expectedStatus + ", got "
                    + r.statusCode() + " " + r.body());
        }
        return r.body().isEmpty() ? JSON.nullNode() : JSON.readTree(r.body());
    }

    /** Kills the process the way {@code kill -9} does: no shutdown hook, no release. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            throw new IllegalStateException("replica did not die");
        }
    }

    /** Stops the process gracefully (SIGTERM), bounded. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            kill9();
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill9();
        }
    }
}
