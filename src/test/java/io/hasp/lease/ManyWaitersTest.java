package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Waiting acquires hold no server thread: with a worker pool of four threads, sixteen clients wait for one lock at
 * once, the service keeps answering meanwhile, and every client is granted in turn, one at a time.
 */
@QuarkusTest
@TestProfile(SmallWorkerPoolProfile.class)
class ManyWaitersTest {

    private static final int WAITERS = 16;
    private static final Pattern LOCK_ID = Pattern.compile("\"lockId\"\\s*:\\s*\"([0-9a-f]+)\"");
    private static final Pattern TOKEN = Pattern.compile("\"fencingToken\"\\s*:\\s*(\\d+)");

    @TestHTTPResource("/")
    URI base;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpRequest.Builder request(String path) {
        String token = ConfigProvider.getConfig().getValue("hasp.admin-token", String.class);
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json");
    }

    private CompletableFuture<HttpResponse<String>> acquire(String name, String body) {
        return http.sendAsync(request("/v1/locks/" + name).POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> release(String name, String lockId) throws Exception {
        return http.send(request("/v1/locks/" + name + "/" + lockId).DELETE().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String group(Pattern p, String body) {
        Matcher m = p.matcher(body);
        assertTrue(m.find(), body);
        return m.group(1);
    }

    /** Requests the HTTP server is handling now (Micrometer's {@code http.server.active.requests}), this one aside. */
    private long activeRequests() throws Exception {
        String metrics = http.send(request("/q/metrics").GET().build(), HttpResponse.BodyHandlers.ofString()).body();
        long active = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("http_server_active_requests{") || line.startsWith("http_server_active_requests ")) {
                active += (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found, "no http_server_active_requests in /q/metrics");
        return active - 1;
    }

    @Test
    void mutinyDefaultWorkerPoolIsTheConfiguredQuarkusPool() throws Exception {
        ExecutorService pool = (ExecutorService) Infrastructure.getDefaultWorkerPool();
        CountDownLatch done = new CountDownLatch(1);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        List<String> threadNames = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < SmallWorkerPoolProfile.MAX_THREADS + 2; i++) {
            pool.execute(() -> {
                peak.accumulateAndGet(running.incrementAndGet(), Math::max);
                threadNames.add(Thread.currentThread().getName());
                try {
                    done.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    running.decrementAndGet();
                }
            });
        }
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> running.get() == SmallWorkerPoolProfile.MAX_THREADS);
        // time is the subject: a window in which a pool larger than configured would run a fifth task
        TimeUnit.MILLISECONDS.sleep(300);
        assertEquals(SmallWorkerPoolProfile.MAX_THREADS, peak.get(), "more threads ran than the pool has");
        done.countDown();
        assertTrue(threadNames.stream().allMatch(n -> n.startsWith("executor-thread")), threadNames::toString);
    }

    @Test
    void moreWaitersThanWorkerThreadsAreAllGrantedInTurn() throws Exception {
        String name = LockApi.uniqueName("crowd");
        HttpResponse<String> first = acquire(name, "{}").get(10, TimeUnit.SECONDS);
        assertEquals(201, first.statusCode(), first.body());
        String waitBody = "{\"timeoutMs\":60000,\"retryIntervalMs\":20,\"maxRetries\":100000}";
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        List<CompletableFuture<Long>> clients = new ArrayList<>();
        for (int i = 0; i < WAITERS; i++) {
            clients.add(acquire(name, waitBody).thenApplyAsync(r -> {
                assertEquals(201, r.statusCode(), r.body());
                if (inside.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                try {
                    // time is the subject: a holder stays inside for a while, so that an overlap would be seen
                    TimeUnit.MILLISECONDS.sleep(10);
                    inside.decrementAndGet();
                    HttpResponse<String> rel = release(name, group(LOCK_ID, r.body()));
                    assertEquals(204, rel.statusCode(), rel.body());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
                return Long.parseLong(group(TOKEN, r.body()));
            }));
        }
        // every waiter has reached the service and is parked there (the server counts it as an active request); with
        // four worker threads the service must still answer at once
        Awaitility.await("all " + WAITERS + " waiters are active requests at the server").atMost(Duration.ofSeconds(30))
                .until(this::activeRequests, n -> n >= WAITERS);
        assertTrue(clients.stream().noneMatch(CompletableFuture::isDone), "a waiter finished while the lock was held");
        long start = System.nanoTime();
        HttpResponse<String> status = http.send(request("/v1/locks/" + name).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        long statusMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals(200, status.statusCode());
        assertTrue(status.body().contains("\"locked\":true"), status.body());
        assertTrue(statusMs < 2000, "status took " + statusMs + " ms while clients waited");
        assertTrue(clients.stream().noneMatch(CompletableFuture::isDone), "a waiter finished while the lock was held");

        assertEquals(204, release(name, group(LOCK_ID, first.body())).statusCode());
        TreeSet<Long> tokens = new TreeSet<>();
        for (CompletableFuture<Long> c : clients) {
            tokens.add(c.get(60, TimeUnit.SECONDS));
        }
        assertEquals(WAITERS, tokens.size(), "fencing tokens must be distinct");
        assertTrue(tokens.first() > Long.parseLong(group(TOKEN, first.body())));
        assertEquals(0, overlaps.get(), "two clients held the lock at once");
    }
}
