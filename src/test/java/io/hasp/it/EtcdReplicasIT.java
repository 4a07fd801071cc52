package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.etcd.EtcdCluster;
import io.hasp.etcd.EtcdRequired;

/**
 * Two Hasp processes on the etcd backend, each with a data directory of its own, on a real 3-member etcd cluster:
 * they exclude each other, renew and release each other's grants, serve their waiters in the order they asked (a fair
 * share each when they compete), hand a released name over within 300 ms, survive
 * the {@code kill -9} of the granting instance and of the etcd leader, hand on a name whose lease ran out, and report
 * readiness DOWN while etcd is gone and UP when it is back. Figures are printed for the report.
 */
@Timeout(value = 300)
@ExtendWith(EtcdRequired.class)
class EtcdReplicasIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static EtcdCluster etcd;

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    private final String namespace = "/it-" + UUID.randomUUID() + "/";
    private final List<HaspProcess> started = new ArrayList<>();

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start("replicas-it", 3);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @AfterEach
    void stopReplicas() throws Exception {
        for (HaspProcess p : started) {
            p.close();
        }
        etcd.restartAll();
    }

    private HaspProcess replica(String label, Path data) throws Exception {
        HaspProcess p = HaspProcess.start(label, data, Map.of("hasp.backend", "etcd",
                "hasp.etcd.endpoints", etcd.endpoints(), "hasp.etcd.namespace", namespace,
                // etcd mode keeps the records in etcd too, and refuses to start without the credentials key
                "hasp.credentials.key", "aXQta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtISEhISE="));
        started.add(p);
        return p;
    }

    private static long token(JsonNode grant) {
        return grant.get("fencingToken").asLong();
    }

    private static String lockId(JsonNode grant) {
        return grant.get("lockId").asText();
    }

    @Test
    void twoInstancesExcludeEachOtherAndRenewAndReleaseAcrossEachOther() throws Exception {
        HaspProcess a = replica("etcd-excl-a", dataA);
        HaspProcess b = replica("etcd-excl-b", dataB);
        JsonNode grant = a.call(201, "POST", "/v1/locks/orders", Map.of("leaseMs", 5000));
        JsonNode busy = b.call(409, "POST", "/v1/locks/orders", Map.of("timeoutMs", 0));
        assertEquals("locked", busy.get("reason").asText());
        assertEquals(a.pid(), busy.get("pid").asLong());
        JsonNode seen = b.call(200, "GET", "/v1/locks/orders", null);
        assertEquals(token(grant), seen.get("holders").get(0).get("fencingToken").asLong());
        assertFalse(seen.toString().contains(lockId(grant)));

        JsonNode renewed = b.call(200, "POST", "/v1/locks/orders/" + lockId(grant) + "/renew",
                Map.of("leaseMs", 60000));
        assertEquals(token(grant), token(renewed));
        assertTrue(Instant.parse(renewed.get("expiresAt").asText()).isAfter(Instant.now().plusSeconds(50)));
        a.call(200, "POST", "/v1/locks/orders/" + lockId(grant) + "/renew", null);
        b.call(204, "DELETE", "/v1/locks/orders/" + lockId(grant), null);
        a.call(404, "DELETE", "/v1/locks/orders/" + lockId(grant), null);
        a.call(404, "POST", "/v1/locks/orders/" + lockId(grant) + "/renew", null);

        long last = token(grant);
        for (int i = 0; i < 6; i++) {
            HaspProcess via = i % 2 == 0 ? b : a;
            JsonNode g = via.call(201, "POST", "/v1/locks/orders", Map.of("timeoutMs", 0));
            assertTrue(token(g) > last, token(g) + " after " + last);
            last = token(g);
            (i % 2 == 0 ? a : b).call(204, "DELETE", "/v1/locks/orders/" + lockId(g), null);
        }
        // etcd mode writes nothing of named locks to the data directories
        assertFalse(Files.exists(dataA.resolve("locks")));
        assertFalse(Files.exists(dataB.resolve("locks")));
    }

    @Test
    void aWaiterOnBIsGrantedWithin300msOfAReleaseOnA() throws Exception {
        HaspProcess a = replica("etcd-wake-a", dataA);
        HaspProcess b = replica("etcd-wake-b", dataB);
        List<Long> delays = new ArrayList<>();
        // round 0 warms both JVMs up (first watch, first transaction); it is printed but not held to 300 ms
        for (int round = 0; round < 6; round++) {
            JsonNode held = a.call(201, "POST", "/v1/locks/handover", Map.of());
            CompletableFuture<HttpResponse<String>> waiter = b.sendAsync("POST", "/v1/locks/handover",
                    Map.of("timeoutMs", 20000));
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                    .until(() -> !waiter.isDone());
            long released = System.nanoTime();
            a.call(204, "DELETE", "/v1/locks/handover/" + lockId(held), null);
            HttpResponse<String> granted = waiter.get(20, TimeUnit.SECONDS);
            delays.add((System.nanoTime() - released) / 1_000_000);
            assertEquals(201, granted.statusCode(), granted.body());
            JsonNode g = JSON.readTree(granted.body());
            assertTrue(token(g) > token(held));
            b.call(204, "DELETE", "/v1/locks/handover/" + lockId(g), null);
        }
        System.out.printf("[figures] etcd: waiter on B granted %s ms after the release on A%n", delays);
        assertTrue(delays.subList(1, delays.size()).stream().allMatch(ms -> ms < 300), "hand-over delays " + delays);
    }

    /**
     * FIFO across replicas: with the name held, a waiter queues on one replica and then one on the other; the release
     * grants the one that asked first, whichever replica it is on, and the other keeps waiting until that one releases.
     * Five rounds, alternating which replica asks first: a race between the replicas' waiters (the previous design)
     * gets every round right only by chance.
     */
    @Test
    void waitersOfBothReplicasAreGrantedInTheOrderTheyAsked() throws Exception {
        HaspProcess a = replica("etcd-order-a", dataA);
        HaspProcess b = replica("etcd-order-b", dataB);
        // a cold replica's first acquisition (channel to etcd, first lease, JIT) can take longer than the pause below,
        // which would let the later waiter queue first: warm both up, waiting included
        for (HaspProcess warm : List.of(a, b)) {
            JsonNode w = warm.call(201, "POST", "/v1/locks/order-warm-up", Map.of());
            CompletableFuture<HttpResponse<String>> waiting = warm.sendAsync("POST", "/v1/locks/order-warm-up",
                    Map.of("timeoutMs", 10000));
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                    .until(() -> !waiting.isDone());
            warm.call(204, "DELETE", "/v1/locks/order-warm-up/" + lockId(w), null);
            JsonNode next = JSON.readTree(waiting.get(20, TimeUnit.SECONDS).body());
            warm.call(204, "DELETE", "/v1/locks/order-warm-up/" + lockId(next), null);
        }
        for (int round = 0; round < 5; round++) {
            HaspProcess first = round % 2 == 0 ? b : a;
            HaspProcess second = round % 2 == 0 ? a : b;
            JsonNode held = a.call(201, "POST", "/v1/locks/order", Map.of());
            CompletableFuture<HttpResponse<String>> earlier = first.sendAsync("POST", "/v1/locks/order",
                    Map.of("timeoutMs", 10000));
            Awaitility.await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
                    .until(() -> !earlier.isDone());
            CompletableFuture<HttpResponse<String>> later = second.sendAsync("POST", "/v1/locks/order",
                    Map.of("timeoutMs", 10000));
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                    .until(() -> !later.isDone());
            a.call(204, "DELETE", "/v1/locks/order/" + lockId(held), null);

            HttpResponse<String> granted = earlier.get(20, TimeUnit.SECONDS);
            assertEquals(201, granted.statusCode(), "round " + round + ": the earlier waiter was not granted: "
                    + granted.body() + (later.isDone() ? "; the later one got " + later.get().body() : ""));
            JsonNode g1 = JSON.readTree(granted.body());
            Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(3))
                    .until(() -> !later.isDone());
            first.call(204, "DELETE", "/v1/locks/order/" + lockId(g1), null);
            HttpResponse<String> next = later.get(20, TimeUnit.SECONDS);
            assertEquals(201, next.statusCode(), next.body());
            JsonNode g2 = JSON.readTree(next.body());
            assertTrue(token(g2) > token(g1));
            second.call(204, "DELETE", "/v1/locks/order/" + lockId(g2), null);
        }
    }

    /**
     * Two clients on each replica take and release one name in a loop, a fixed number of times each. While both
     * replicas compete (the grants up to the last one of the replica that finishes first, in fencing-token order),
     * each replica gets at least 35% of them. (The previous design, a race between the replicas' first waiters, also
     * passed this with two clients per replica; its 78/22 split showed in the benchmark. The order test above is the
     * one that tells a queue from a race.)
     */
    @Test
    void twoReplicasCompetingForOneNameEachGetAFairShare() throws Exception {
        HaspProcess a = replica("etcd-fair-a", dataA);
        HaspProcess b = replica("etcd-fair-b", dataB);
        int clientsPerReplica = 2;
        int cyclesPerClient = 40;
        List<long[]> grants = java.util.Collections.synchronizedList(new ArrayList<>());
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        List<Thread> clients = new ArrayList<>();
        for (int side = 0; side < 2; side++) {
            HaspProcess via = side == 0 ? a : b;
            long label = side;
            for (int c = 0; c < clientsPerReplica; c++) {
                Thread client = new Thread(() -> {
                    try {
                        for (int i = 0; i < cyclesPerClient; i++) {
                            JsonNode g = via.call(201, "POST", "/v1/locks/fair", Map.of("timeoutMs", 20000));
                            grants.add(new long[] {token(g), label});
                            via.call(204, "DELETE", "/v1/locks/fair/" + lockId(g), null);
                        }
                    } catch (Throwable e) {
                        failures.add(e.toString());
                    }
                });
                client.start();
                clients.add(client);
            }
        }
        for (Thread t : clients) {
            t.join(120_000);
        }
        assertEquals(List.of(), failures);
        List<long[]> ordered = new ArrayList<>(grants);
        ordered.sort(java.util.Comparator.comparingLong(g -> g[0]));
        assertEquals(2 * clientsPerReplica * cyclesPerClient, ordered.size());
        long lastA = ordered.stream().filter(g -> g[1] == 0).mapToLong(g -> g[0]).max().orElseThrow();
        long lastB = ordered.stream().filter(g -> g[1] == 1).mapToLong(g -> g[0]).max().orElseThrow();
        List<long[]> competing = ordered.stream().filter(g -> g[0] <= Math.min(lastA, lastB)).toList();
        long ofA = competing.stream().filter(g -> g[1] == 0).count();
        long ofB = competing.size() - ofA;
        System.out.printf("[figures] etcd: two replicas on one name, %d grants while both competed: A %d (%.0f%%), "
                + "B %d (%.0f%%)%n", competing.size(), ofA, 100.0 * ofA / competing.size(), ofB,
                100.0 * ofB / competing.size());
        assertTrue(ofA >= 0.35 * competing.size() && ofB >= 0.35 * competing.size(),
                "unfair split while both competed: A " + ofA + ", B " + ofB + " of " + competing.size());
    }

    @Test
    void severalNamesAreAllOrNoneAndSharedExcludesExclusiveAcrossInstances() throws Exception {
        HaspProcess a = replica("etcd-multi-a", dataA);
        HaspProcess b = replica("etcd-multi-b", dataB);
        JsonNode held = a.call(201, "POST", "/v1/locks/m-b", Map.of());
        b.call(409, "POST", "/v1/locks", Map.of("names", List.of("m-c", "m-b", "m-a"), "timeoutMs", 300));
        assertFalse(a.call(200, "GET", "/v1/locks/m-a", null).get("locked").asBoolean());
        assertFalse(a.call(200, "GET", "/v1/locks/m-c", null).get("locked").asBoolean());
        a.call(204, "DELETE", "/v1/locks/m-b/" + lockId(held), null);
        JsonNode all = b.call(201, "POST", "/v1/locks", Map.of("names", List.of("m-c", "m-b", "m-a")));
        assertEquals(3, all.get("locks").size());
        for (JsonNode g : all.get("locks")) {
            a.call(204, "DELETE", "/v1/locks/" + g.get("name").asText() + "/" + lockId(g), null);
        }

        JsonNode r1 = a.call(201, "POST", "/v1/locks/reports", Map.of("type", "shared"));
        JsonNode r2 = b.call(201, "POST", "/v1/locks/reports", Map.of("type", "shared", "timeoutMs", 0));
        b.call(409, "POST", "/v1/locks/reports", Map.of("timeoutMs", 0));
        assertEquals(2, b.call(200, "GET", "/v1/locks/reports", null).get("holders").size());
        b.call(204, "DELETE", "/v1/locks/reports/" + lockId(r1), null);
        a.call(204, "DELETE", "/v1/locks/reports/" + lockId(r2), null);
        a.call(201, "POST", "/v1/locks/reports", Map.of("timeoutMs", 0));
    }

    @Test
    void aLeaseOutlivesTheKilledInstanceThatGrantedItAndIsRenewedOnTheOther() throws Exception {
        HaspProcess a = replica("etcd-kill-a", dataA);
        HaspProcess b = replica("etcd-kill-b", dataB);
        JsonNode grant = a.call(201, "POST", "/v1/locks/survivor", Map.of("leaseMs", 10000));
        long killedPid = a.pid();
        a.kill9();
        JsonNode busy = b.call(409, "POST", "/v1/locks/survivor", Map.of("timeoutMs", 0));
        assertEquals(killedPid, busy.get("pid").asLong());
        JsonNode renewed = b.call(200, "POST", "/v1/locks/survivor/" + lockId(grant) + "/renew", null);
        assertEquals(token(grant), token(renewed));
        b.call(204, "DELETE", "/v1/locks/survivor/" + lockId(grant), null);
        JsonNode next = b.call(201, "POST", "/v1/locks/survivor", Map.of("timeoutMs", 0));
        assertTrue(token(next) > token(grant));
    }

    @Test
    void anExpiredLeaseHandsTheNameOn() throws Exception {
        HaspProcess a = replica("etcd-expire-a", dataA);
        HaspProcess b = replica("etcd-expire-b", dataB);
        JsonNode grant = a.call(201, "POST", "/v1/locks/expiring", Map.of("leaseMs", 2000));
        Instant expires = Instant.parse(grant.get("expiresAt").asText());
        a.kill9();
        long killed = System.nanoTime();
        JsonNode taken = b.call(201, "POST", "/v1/locks/expiring", Map.of("timeoutMs", 15000));
        Instant grantedAt = Instant.parse(taken.get("acquiredAt").asText());
        assertFalse(grantedAt.isBefore(expires), "granted at " + grantedAt + " before the lease ended " + expires);
        assertTrue(token(taken) > token(grant));
        b.call(404, "POST", "/v1/locks/expiring/" + lockId(grant) + "/renew", null);
        System.out.printf("[figures] etcd: 2 s lease of a killed instance handed on %d ms after the kill, %d ms "
                + "after expiresAt%n", (System.nanoTime() - killed) / 1_000_000,
                Duration.between(expires, grantedAt).toMillis());
    }

    @Test
    void killingTheEtcdLeaderNeitherEndsAHeldLeaseNorLetsASecondHolderIn() throws Exception {
        HaspProcess a = replica("etcd-leader-a", dataA);
        HaspProcess b = replica("etcd-leader-b", dataB);
        JsonNode grant = a.call(201, "POST", "/v1/locks/steady", Map.of("leaseMs", 3000));
        String renew = "/v1/locks/steady/" + lockId(grant) + "/renew";
        AtomicInteger renewals = new AtomicInteger();
        AtomicInteger secondHolders = new AtomicInteger();
        List<String> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        ScheduledExecutorService pace = Executors.newScheduledThreadPool(2);
        try {
            pace.scheduleWithFixedDelay(() -> {
                try {
                    HaspProcess via = renewals.get() % 2 == 0 ? a : b;
                    HttpResponse<String> r = via.send("POST", renew, null);
                    if (r.statusCode() == 200) {
                        renewals.incrementAndGet();
                    } else {
                        failures.add("renew " + r.statusCode() + " " + r.body());
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }, 0, 700, TimeUnit.MILLISECONDS);
            pace.scheduleWithFixedDelay(() -> {
                try {
                    HttpResponse<String> r = b.send("POST", "/v1/locks/steady", Map.of("timeoutMs", 0));
                    if (r.statusCode() == 201) {
                        secondHolders.incrementAndGet();
                    }
                } catch (Exception e) {
                    failures.add(e.toString());
                }
            }, 100, 300, TimeUnit.MILLISECONDS);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> renewals.get() >= 2);
            int leader = etcd.leader();
            etcd.kill9(leader);
            long killed = System.nanoTime();
            int before = renewals.get();
            // renewals go on through the surviving members, for longer than the lease
            Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> renewals.get() >= before + 8);
            System.out.printf("[figures] etcd leader killed: %d renewals in the %d ms after, no failure%n",
                    renewals.get() - before, (System.nanoTime() - killed) / 1_000_000);
        } finally {
            pace.shutdownNow();
            pace.awaitTermination(20, TimeUnit.SECONDS);
        }
        assertEquals(List.of(), failures);
        assertEquals(0, secondHolders.get(), "a second holder was granted while the lease was renewed");
        a.call(204, "DELETE", "/v1/locks/steady/" + lockId(grant), null);
    }

    @Test
    void readinessIsDownWhileEveryMemberIsDownAndUpWhenTheyReturn() throws Exception {
        HaspProcess b = replica("etcd-ready-b", dataB);
        assertEquals(200, b.send("GET", "/q/health/ready", null).statusCode());
        etcd.kill9All();
        long killed = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.send("GET", "/q/health/ready", null).statusCode() == 503);
        long downMs = (System.nanoTime() - killed) / 1_000_000;
        HttpResponse<String> ready = b.send("GET", "/q/health/ready", null);
        assertTrue(ready.body().contains("\"etcd\""), ready.body());
        assertFalse(ready.body().contains("127.0.0.1"), "an address leaked: " + ready.body());
        HttpResponse<String> refused = b.send("POST", "/v1/locks/dark", Map.of("timeoutMs", 0));
        assertEquals(503, refused.statusCode(), refused.body());
        assertTrue(refused.body().contains("\"reason\":\"error\""), refused.body());
        assertFalse(refused.body().contains("127.0.0.1"), refused.body());

        long restarted = System.nanoTime();
        etcd.restartAll();
        Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> b.send("GET", "/q/health/ready", null).statusCode() == 200);
        System.out.printf("[figures] etcd all down: readiness DOWN after %d ms; UP %d ms after the restart%n",
                downMs, (System.nanoTime() - restarted) / 1_000_000);
        b.call(201, "POST", "/v1/locks/dark", Map.of("timeoutMs", 0));
    }
}
