package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Several OS processes on one data directory: two service instances started from the packaged runner jar, clients
 * on many threads against both, and a lock file written by another tool. Proves that exclusive control holds across
 * processes, not only across threads: the final command count is exact, ids are unique, every command is claimed
 * exactly once, and a plan-only lock file ({@code pid}, {@code timestamp}, {@code hostname}) holds our writers off.
 * Each test creates the records it uses, so that any one runs alone and in any order.
 */
class MultiProcessIT {

    private static final String ADMIN = "it-admin-token-" + Long.toHexString(new Random(7).nextLong());
    private static final int INSTANCES = 2;
    private static final int THREADS_PER_INSTANCE = 8;
    private static final int COMMANDS_PER_THREAD = 25;
    private static final int MAX_503_RETRIES = 200;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private static Path dataDir;
    private static final List<Process> servers = new ArrayList<>();
    private static final List<String> bases = new ArrayList<>();

    @BeforeAll
    static void startInstances() throws Exception {
        Path jar = Path.of(System.getProperty("hasp.runner.jar", "target/quarkus-app/quarkus-run.jar"));
        assertTrue(Files.isRegularFile(jar), "the runner jar is built by package before verify: " + jar);
        dataDir = Files.createTempDirectory("hasp-it-");
        Path logs = Files.createDirectories(Path.of("target", "it-logs"));
        for (int i = 0; i < INSTANCES; i++) {
            int port = freePort();
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx256m",
                    "-Dquarkus.http.port=" + port, "-Dhasp.data-dir=" + dataDir,
                    "-Dhasp.lock.timeout=3s", "-Dhasp.lock.max-retries=100000", "-Dhasp.sweep.interval=1s",
                    "-jar", jar.toString());
            pb.environment().put("HASP_ADMIN_TOKEN", ADMIN);
            pb.redirectErrorStream(true).redirectOutput(logs.resolve("instance-" + i + ".log").toFile());
            servers.add(pb.start());
            bases.add("http://localhost:" + port);
        }
        for (String base : bases) {
            awaitUp(base);
        }
    }

    @AfterAll
    static void stopInstances() throws Exception {
        for (Process p : servers) {
            p.destroy();
        }
        for (Process p : servers) {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        if (dataDir != null) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void concurrentClientsOnTwoInstancesAddCommandsWithoutLoss() throws Exception {
        String queueId = "added";
        long createdVersion = createQueue(queueId);
        long start = System.nanoTime();
        int retries = addConcurrently(queueId);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        int expected = INSTANCES * THREADS_PER_INSTANCE * COMMANDS_PER_THREAD;
        for (String base : bases) {
            JsonNode queue = JSON.readTree(call(base, "GET", "/v1/queues/" + queueId, null).body());
            Set<String> ids = new HashSet<>();
            queue.get("commands").forEach(c -> ids.add(c.get("id").asText()));
            assertEquals(expected, queue.get("commands").size(), "every add kept, seen from " + base);
            assertEquals(expected, ids.size(), "ids unique");
            assertEquals(createdVersion + expected, queue.get("version").asLong(), "one version per change");
        }
        System.out.printf("MULTI-PROCESS add: %d instances x %d threads, %d commands in %d ms, %d retries on 503%n",
                INSTANCES, THREADS_PER_INSTANCE, expected, millis, retries);
    }

    /** Creates queue {@code id} and answers its version. */
    private static long createQueue(String id) throws Exception {
        HttpResponse<String> created = call(bases.get(0), "POST", "/v1/queues", Map.of("id", id, "name", id));
        assertEquals(201, created.statusCode(), created.body());
        return JSON.readTree(created.body()).get("version").asLong();
    }

    /**
     * Adds {@code COMMANDS_PER_THREAD} commands from each of {@code THREADS_PER_INSTANCE} threads per instance to
     * queue {@code queueId}, every one answered 201; answers the retries the 503s took.
     */
    private static int addConcurrently(String queueId) throws Exception {
        Random seeds = new Random(42);
        List<Callable<Integer>> clients = new ArrayList<>();
        for (int instance = 0; instance < INSTANCES; instance++) {
            for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
                String base = bases.get(instance);
                String prefix = "i" + instance + "-t" + t + "-";
                long seed = seeds.nextLong();
                clients.add(() -> {
                    Random random = new Random(seed);
                    int retries = 0;
                    for (int n = 0; n < COMMANDS_PER_THREAD; n++) {
                        Map<String, Object> body = Map.of("id", prefix + n, "command", "run " + n,
                                "payload", Map.of("size", random.nextInt(1000)));
                        retries += expect(201, () -> call(base, "POST", "/v1/queues/" + queueId + "/commands",
                                body));
                    }
                    return retries;
                });
            }
        }

        return runAll(clients).stream().mapToInt(Integer::intValue).sum();
    }

    @Test
    void runnersOnTwoInstancesClaimEveryCommandExactlyOnce() throws Exception {
        String queueId = "claimed";
        createQueue(queueId);
        addConcurrently(queueId);
        int expected = INSTANCES * THREADS_PER_INSTANCE * COMMANDS_PER_THREAD;
        List<Callable<List<String>>> runners = new ArrayList<>();
        for (int instance = 0; instance < INSTANCES; instance++) {
            for (int t = 0; t < THREADS_PER_INSTANCE; t++) {
                String base = bases.get(instance);
                String runner = "runner-" + instance + "-" + t;
                runners.add(() -> {
                    List<String> mine = new ArrayList<>();
                    for (int guard = 0; guard <= expected; guard++) {
                        HttpResponse<String> r = retry503(() -> call(base, "POST", "/v1/queues/" + queueId + "/claim",
                                Map.of("runnerId", runner, "leaseMs", 600_000)));
                        if (r.statusCode() == 204) {
                            return mine;
                        }
                        assertEquals(200, r.statusCode(), r.body());
                        JsonNode claimed = JSON.readTree(r.body());
                        assertEquals(runner, claimed.get("claimedBy").asText());
                        mine.add(claimed.get("id").asText());
                    }
                    throw new AssertionError("the queue never ran dry");
                });
            }
        }

        long start = System.nanoTime();
        List<List<String>> claims = runAll(runners);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        Map<String, Integer> times = new HashMap<>();
        claims.forEach(list -> list.forEach(id -> times.merge(id, 1, Integer::sum)));
        assertEquals(expected, times.size(), "every command claimed");
        assertTrue(times.values().stream().allMatch(n -> n == 1), "no command claimed twice");
        JsonNode queue = JSON.readTree(call(bases.get(1), "GET", "/v1/queues/" + queueId, null).body());
        queue.get("commands").forEach(c -> assertEquals("running", c.get("status").asText()));
        System.out.printf("MULTI-PROCESS claim: %d runners on %d instances claimed %d commands in %d ms%n",
                INSTANCES * THREADS_PER_INSTANCE, INSTANCES, expected, millis);
    }

    @Test
    void aPlanOnlyLockFileHoldsWritersOffUntilSilentForStaleAfterWhateverItsPid() throws Exception {
        assertEquals(201, call(bases.get(0), "POST", "/v1/queues", Map.of("id", "foreign", "name", "F"))
                .statusCode());
        Process holder = new ProcessBuilder("sleep", "300").start();
        try {
            Path lock = dataDir.resolve("queues/foreign.json.lock");
            takeLikeAPlanOnlyTool(lock, holder.pid());

            for (String base : bases) {
                HttpResponse<String> busy = call(base, "POST", "/v1/queues/foreign/commands",
                        Map.of("command", "blocked"));
                assertEquals(503, busy.statusCode(), busy.body());
                assertTrue(busy.headers().firstValue("Retry-After").isPresent());
                JsonNode problem = JSON.readTree(busy.body());
                assertEquals(holder.pid(), problem.get("pid").asLong());
                assertEquals(hostname(), problem.get("hostname").asText());
                assertNotNull(problem.get("since"));
            }
            assertEquals(0, JSON.readTree(call(bases.get(0), "GET", "/v1/queues/foreign", null).body())
                    .get("commands").size(), "nothing written while the foreign lock is held");

            // no pid namespace recorded: the pid (alive here) says nothing, so the file is judged by its silence
            HttpResponse<String> after = retry503(() -> call(bases.get(1), "POST", "/v1/queues/foreign/commands",
                    Map.of("command", "after stale-after of silence")));
            assertEquals(201, after.statusCode(), after.body());
            assertTrue(holder.isAlive());
        } finally {
            holder.destroyForcibly();
        }
    }

    /**
     * Takes {@code lock} as a tool that follows only the plan does: waits until it is free (Hasp may keep it a few
     * milliseconds after a change, or parked until its journal is folded), then creates it with O_EXCL.
     */
    private static void takeLikeAPlanOnlyTool(Path lock, long pid) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    try {
                        Files.writeString(lock, "{\"pid\": " + pid + ", \"timestamp\": \"" + Instant.now()
                                + "\", \"hostname\": \"" + hostname() + "\"}", StandardCharsets.UTF_8,
                                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
                        return true;
                    } catch (java.nio.file.FileAlreadyExistsException e) {
                        return false;
                    }
                });
    }

    @Test
    void aPlanOnlyLockFileOfALiveProcessHoldsUntilRemoved() throws Exception {
        createQueue("foreign-live");
        Path lock = dataDir.resolve("queues/foreign-live.json.lock");
        takeLikeAPlanOnlyTool(lock, ProcessHandle.current().pid());

        assertEquals(503, call(bases.get(0), "POST", "/v1/queues/foreign-live/commands", Map.of("command", "x"))
                .statusCode());
        Files.delete(lock);

        assertEquals(201, call(bases.get(0), "POST", "/v1/queues/foreign-live/commands", Map.of("command", "x"))
                .statusCode());
    }

    @Test
    void aTokenRevokedOnOneInstanceIsRejectedByTheOtherWithinASecond() throws Exception {
        JsonNode created = JSON.readTree(call(bases.get(0), "POST", "/v1/tokens",
                Map.of("name", "it", "scopes", List.of("read"))).body());
        String token = created.get("token").asText();
        assertEquals(200, callAs(bases.get(1), token, "GET", "/v1/queues", null).statusCode());

        assertEquals(204, call(bases.get(0), "DELETE", "/v1/tokens/" + created.get("id").asText(), null)
                .statusCode());
        long revokedAt = System.nanoTime();

        int status = 200;
        while (status == 200 && System.nanoTime() - revokedAt < TimeUnit.SECONDS.toNanos(3)) {
            status = callAs(bases.get(1), token, "GET", "/v1/queues", null).statusCode();
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - revokedAt);
        assertEquals(401, status);
        assertTrue(millis < 1000, "rejected after " + millis + " ms");
        System.out.printf("MULTI-PROCESS revocation seen by the other instance after %d ms%n", millis);
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static HttpResponse<String> call(String base, String method, String path, Object body)
            throws IOException, InterruptedException {
        return callAs(base, ADMIN, method, path, body);
    }

    private static HttpResponse<String> callAs(String base, String token, String method, String path, Object body)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json");
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Calls until the answer is not 503 (a busy lock changed nothing, so retrying is safe); bounded. */
    private static HttpResponse<String> retry503(Callable<HttpResponse<String>> call) throws Exception {
        HttpResponse<String> r = call.call();
        for (int i = 0; r.statusCode() == 503 && i < MAX_503_RETRIES; i++) {
            r = call.call();
        }
        return r;
    }

    /** Expects {@code status} after bounded retries on 503; answers how many retries it took. */
    private static int expect(int status, Callable<HttpResponse<String>> call) throws Exception {
        int retries = 0;
        HttpResponse<String> r = call.call();
        while (r.statusCode() == 503 && retries < MAX_503_RETRIES) {
            retries++;
            r = call.call();
        }
        assertEquals(status, r.statusCode(), r.body());
        return retries;
    }

    private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = pool.invokeAll(tasks, 5, TimeUnit.MINUTES);
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                assertFalse(f.isCancelled(), "a client did not finish within five minutes");
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static void awaitUp(String base) {
        org.awaitility.Awaitility.await(base + " comes up").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(200)).until(() -> {
                    for (Process p : servers) {
                        assertTrue(p.isAlive(), "an instance died at start-up; see target/it-logs");
                    }
                    try {
                        return call(base, "GET", "/v1/queues", null).statusCode() == 200;
                    } catch (IOException notYet) {
                        return false; // not listening yet
                    }
                });
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** What gethostname(2) says, read as the lock engine reads it. */
    private static String hostname() throws IOException {
        Path kernel = Path.of("/proc/sys/kernel/hostname");
        return Files.exists(kernel) ? Files.readString(kernel).trim() : InetAddress.getLocalHost().getHostName();
    }
}
