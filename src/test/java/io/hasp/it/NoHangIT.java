package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Liveness under churn, across processes: two replicas on one data directory take appends, claims, short leases
 * that run out (the sweepers break them), force-releases and reads, while a tool that knows only the plan drops lock
 * files of dead processes on the queues (held off for {@code stale-after}, then broken by a waiter or a sweeper).
 * Every request must be answered within its lock timeout plus a generous margin, with an expected status, and every
 * acknowledged append must be in its queue exactly once. A deadlock between a sweep and an attempt (fixed in
 * {@code StaleSweep}) left requests unanswered for good.
 */
@Timeout(value = 240)
class NoHangIT {

    private static final Duration CHURN = Duration.ofSeconds(30);
    /** Lock timeout 5 s; anything slower than this is a hang, not a wait. */
    private static final Duration HANG = Duration.ofSeconds(15);
    private static final int CLIENTS = 10;
    private static final List<String> QUEUES = List.of("q0", "q1", "q2");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, Set<Integer>> EXPECTED = Map.of(
            "append", Set.of(201, 503), "claim", Set.of(200, 204, 503), "lock", Set.of(201, 409),
            "release", Set.of(204, 404), "force", Set.of(204, 404), "get", Set.of(200));

    @TempDir
    Path data;

    private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> acked = new ConcurrentHashMap<>();
    private final AtomicLong slowestMillis = new AtomicLong();
    private final List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());

    @Test
    void twoReplicasUnderChurnAnswerEveryRequestInTimeAndLoseNoAppend() throws Exception {
        List<String> options = List.of("-Dhasp.lock.timeout=5s", "-Dhasp.lock.stale-after=2s");
        List<HaspProcess> replicas = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS + 1);
        try {
            for (int i = 0; i < 2; i++) {
                List<String> all = new ArrayList<>(options);
                all.add("-Dhasp.admin-token=" + HaspProcess.ADMIN_TOKEN);
                replicas.add(HaspProcess.start("no-hang-" + i, data, HaspProcess.freePort(), all));
            }
            for (String q : QUEUES) {
                replicas.get(0).call(201, "POST", "/v1/queues", Map.of("id", q, "name", q));
                acked.put(q, ConcurrentHashMap.newKeySet());
            }
            long end = System.nanoTime() + CHURN.toNanos();
            List<Future<?>> running = new ArrayList<>();
            for (int c = 0; c < CLIENTS; c++) {
                Random rnd = new Random(1000 + c);
                String runner = "r" + c;
                running.add(pool.submit(() -> {
                    while (System.nanoTime() < end && problems.isEmpty()) {
                        oneOperation(rnd, replicas, runner);
                    }
                    return null;
                }));
            }
            running.add(pool.submit(() -> {
                Random rnd = new Random(99);
                while (System.nanoTime() < end && problems.isEmpty()) {
                    plantPlanOnlyLock(QUEUES.get(rnd.nextInt(QUEUES.size())));
                    // the tool's own pace: a lock file every 0.2-1.5 s
                    TimeUnit.MILLISECONDS.sleep(200 + rnd.nextInt(1300));
                }
                return null;
            }));
            for (Future<?> f : running) {
                f.get(CHURN.plus(HANG).plus(HANG).toSeconds(), TimeUnit.SECONDS);
            }
            System.out.printf("NO-HANG: %d s of churn on 2 replicas, slowest answer %d ms, %s%n", CHURN.toSeconds(),
                    slowestMillis.get(), new TreeMap<>(counts));
            assertTrue(problems.isEmpty(), problems.toString());
            assertTrue(slowestMillis.get() < HANG.toMillis(), "slowest answer " + slowestMillis.get() + " ms");
            assertTrue(count("append-201") > 100 && count("lock-201") > 50 && count("planted") > 2,
                    "the churn did what it should: " + counts);
            for (String q : QUEUES) {
                JsonNode commands = replicas.get(1).call(200, "GET", "/v1/queues/" + q, null).get("commands");
                Set<String> present = new HashSet<>();
                commands.forEach(c -> present.add(c.get("id").asText()));
                assertEquals(acked.get(q), present, "queue " + q + " holds exactly its acknowledged appends");
                assertEquals(commands.size(), present.size(), "no command twice in " + q);
            }
        } finally {
            pool.shutdownNow();
            for (HaspProcess p : replicas) {
                p.close();
            }
        }
    }

    private void oneOperation(Random rnd, List<HaspProcess> replicas, String runner) throws Exception {
        HaspProcess at = replicas.get(rnd.nextInt(replicas.size()));
        double op = rnd.nextDouble();
        String q = QUEUES.get(rnd.nextInt(QUEUES.size()));
        String name = rnd.nextBoolean() ? "a" : "b";
        if (op < 0.45) {
            HttpResponse<String> r = send(at, "append", "POST", "/v1/queues/" + q + "/commands",
                    Map.of("command", "c"));
            if (r != null && r.statusCode() == 201) {
                acked.get(q).add(JSON.readTree(r.body()).get("id").asText());
            }
        } else if (op < 0.6) {
            send(at, "claim", "POST", "/v1/queues/" + q + "/claim", Map.of("runnerId", runner, "leaseMs", 1000));
        } else if (op < 0.85) {
            HttpResponse<String> r = send(at, "lock", "POST", "/v1/locks/" + name,
                    Map.of("leaseMs", rnd.nextBoolean() ? 1000 : 2000, "timeoutMs", 2000));
            if (r != null && r.statusCode() == 201 && rnd.nextBoolean()) {
                String lockId = JSON.readTree(r.body()).get("lockId").asText();
                send(replicas.get(rnd.nextInt(replicas.size())), "release", "DELETE",
                        "/v1/locks/" + name + "/" + lockId, null);
            }
        } else if (op < 0.9) {
            send(at, "force", "DELETE", "/v1/locks/" + name, null);
        } else {
            send(at, "get", "GET", "/v1/queues/" + q, null);
        }
    }

    /** One request; its time and status are recorded, a time-out or an unexpected status is a problem. */
    private HttpResponse<String> send(HaspProcess at, String kind, String method, String path, Object body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + at.port() + path))
                .timeout(HANG.plus(HANG))
                .header("Authorization", "Bearer " + HaspProcess.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                .build();
        long start = System.nanoTime();
        HttpResponse<String> r;
        try {
            r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            problems.add(method + " " + path + " unanswered after " + HANG.plus(HANG).toSeconds() + " s");
            return null;
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        slowestMillis.accumulateAndGet(millis, Math::max);
        counts.computeIfAbsent(kind + "-" + r.statusCode(), k -> new AtomicLong()).incrementAndGet();
        if (!EXPECTED.get(kind).contains(r.statusCode())) {
            problems.add(method + " " + path + " answered " + r.statusCode() + ": " + r.body());
        }
        if (millis >= HANG.toMillis()) {
            problems.add(method + " " + path + " took " + millis + " ms");
        }
        return r;
    }

    /** Creates {@code <queue>.json.lock} as a plan-only tool does (O_EXCL), naming a process that has ended. */
    private void plantPlanOnlyLock(String queue) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor(10, TimeUnit.SECONDS);
        String content = "{\"pid\": " + gone.pid() + ", \"timestamp\": \"" + Instant.now() + "\", \"hostname\": \""
                + java.net.InetAddress.getLocalHost().getHostName() + "\"}";
        try {
            Files.writeString(data.resolve("queues").resolve(queue + ".json.lock"), content, StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            counts.computeIfAbsent("planted", k -> new AtomicLong()).incrementAndGet();
        } catch (FileAlreadyExistsException busy) {
            counts.computeIfAbsent("planted-busy", k -> new AtomicLong()).incrementAndGet();
        }
    }

    private long count(String key) {
        AtomicLong n = counts.get(key);
        return n == null ? 0 : n.get();
    }
}
