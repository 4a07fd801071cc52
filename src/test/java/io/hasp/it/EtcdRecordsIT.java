package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.etcd.EtcdCluster;
import io.hasp.etcd.EtcdRequired;

/**
 * Issue 10's records on etcd across processes: three Hasp instances with data directories of their own on one
 * 3-member etcd cluster. Appends from 3 x 8 clients land exactly, 12 runners claim every command exactly once, 120
 * concurrent session updates of one group are all kept, a stale If-Match is refused whichever instance made the
 * change, a token made on one instance works on the others and its revocation is seen by them within a second,
 * nothing of the records is written to the data directories; appends go on through a {@code kill -9} of the etcd leader
 * and every acknowledged one is kept; every instance killed with {@code kill -9} and started again exports the same.
 * And: the three instances appending to one queue each get a fair share; an expired claim returns to pending through
 * the sweeper, with the etcd and sweeper metrics served; an export taken while writes go on is one state of every
 * record.
 */
@Timeout(value = 600)
@ExtendWith(EtcdRequired.class)
class EtcdRecordsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    /** 32 bytes in base64: the credentials key every instance shares. */
    private static final String KEY = "aXQta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtISEhISE=";

    private static EtcdCluster etcd;

    @TempDir
    Path dataA;

    @TempDir
    Path dataB;

    @TempDir
    Path dataC;

    private final String namespace = "/records-it-" + UUID.randomUUID() + "/";
    private final List<HaspProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startEtcd() throws Exception {
        etcd = EtcdCluster.start("records-it", 3);
    }

    @AfterAll
    static void stopEtcd() {
        if (etcd != null) {
            etcd.close();
        }
    }

    @BeforeEach
    void startReplicas() throws Exception {
        int n = 0;
        for (Path data : List.of(dataA, dataB, dataC)) {
            replicas.add(HaspProcess.start("etcd-records-" + (char) ('a' + n++), data, Map.of("hasp.backend", "etcd",
                    "hasp.etcd.endpoints", etcd.endpoints(), "hasp.etcd.namespace", namespace,
                    "hasp.credentials.key", KEY)));
        }
    }

    @AfterEach
    void stopReplicas() throws Exception {
        for (HaspProcess p : replicas) {
            p.close();
        }
        replicas.clear();
        etcd.restartAll();
        etcd.awaitHealthy();
    }

    private HaspProcess replica(int i) {
        return replicas.get(i % replicas.size());
    }

    /** Runs every task at once on threads of its own; answers their results, failing on the first failure. */
    private static <R> List<R> concurrently(List<Callable<R>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<R>> futures = pool.invokeAll(tasks, 5, TimeUnit.MINUTES);
            List<R> out = new ArrayList<>();
            for (Future<R> f : futures) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    private static int status(HaspProcess via, String token, String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + via.port() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token).GET().build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    @Test
    void appendsFrom3x8ClientsLandExactlyAndTwelveRunnersClaimEachCommandOnce() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "appends", "name", "Appends"));
        List<Callable<List<String>>> clients = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            HaspProcess via = replica(c % 3);
            int client = c;
            clients.add(() -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 25; i++) {
                    ids.add(via.call(201, "POST", "/v1/queues/appends/commands",
                            Map.of("command", "client " + client + " append " + i)).get("id").asText());
                }
                return ids;
            });
        }
        long started = System.nanoTime();
        List<String> acknowledged = concurrently(clients).stream().flatMap(List::stream).toList();
        long ms = (System.nanoTime() - started) / 1_000_000;
        JsonNode queue = replica(2).call(200, "GET", "/v1/queues/appends", null);
        Set<String> stored = new HashSet<>();
        Set<String> texts = new HashSet<>();
        queue.get("commands").forEach(c -> {
            stored.add(c.get("id").asText());
            texts.add(c.get("command").asText());
        });
        System.out.printf("[figures] etcd records: 600 appends by 3 instances x 8 clients in %d ms (%.0f/s)%n", ms,
                600_000.0 / ms);
        assertEquals(600, acknowledged.size());
        assertEquals(600, new HashSet<>(acknowledged).size(), "ids unique");
        assertEquals(600, queue.get("commands").size());
        assertEquals(new HashSet<>(acknowledged), stored);
        assertEquals(600, texts.size());

        replica(1).call(201, "POST", "/v1/queues", Map.of("id", "work", "name", "Work"));
        for (int i = 0; i < 90; i++) {
            replica(i).call(201, "POST", "/v1/queues/work/commands", Map.of("id", "w" + i, "command", "job " + i));
        }
        ConcurrentLinkedQueue<String> claimed = new ConcurrentLinkedQueue<>();
        List<Callable<Integer>> runners = new ArrayList<>();
        for (int r = 0; r < 12; r++) {
            HaspProcess via = replica(r);
            String runner = "runner-" + r;
            runners.add(() -> {
                int mine = 0;
                while (true) {
                    HttpResponse<String> answer = via.send("POST", "/v1/queues/work/claim",
                            Map.of("runnerId", runner, "leaseMs", 600_000));
                    if (answer.statusCode() == 204) {
                        return mine;
                    }
                    assertEquals(200, answer.statusCode(), answer.body());
                    claimed.add(JSON.readTree(answer.body()).get("id").asText());
                    mine++;
                }
            });
        }
        List<Integer> perRunner = concurrently(runners);
        System.out.printf("[figures] etcd records: 90 claims by 12 runners on 3 instances: %s%n", perRunner);
        assertEquals(90, claimed.size(), "every command claimed once: " + claimed.size());
        assertEquals(90, new HashSet<>(claimed).size(), "no command claimed twice");
        JsonNode work = replica(0).call(200, "GET", "/v1/queues/work", null);
        work.get("commands").forEach(c -> assertEquals("running", c.get("status").asText(), c.toString()));
    }

    /** How long the fair-share test counts appends, after its warm-up. */
    private static final int COUNTED_SECONDS = 7;

    /**
     * Fairness between replicas on one record: 3 instances x 8 clients append to one queue, 3 s of warm-up then 7 s
     * counted (at most 400 appends per client); each instance's clients get at least 15 % of the appends acknowledged
     * in the counted time, every id is unique and every acknowledged append is stored once. Without the waiting keys
     * (docs/locking.md, "Fair between replicas on one record") one instance took most of them.
     */
    @Test
    void threeInstancesAppendingToOneQueueEachGetAFairShare() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "fair", "name", "Fair"));
        long counted = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        long until = counted + Duration.ofSeconds(COUNTED_SECONDS).toNanos();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        AtomicIntegerArray perReplica = new AtomicIntegerArray(3);
        ConcurrentLinkedQueue<Integer> refused = new ConcurrentLinkedQueue<>();
        List<Callable<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 24; c++) {
            int r = c % 3;
            HaspProcess via = replica(r);
            int client = c;
            clients.add(() -> {
                int i = 0;
                while (i < 400 && System.nanoTime() < until) {
                    long sent = System.nanoTime();
                    HttpResponse<String> answer = via.send("POST", "/v1/queues/fair/commands",
                            Map.of("command", "client " + client + " append " + i++));
                    if (answer.statusCode() == 201) {
                        acknowledged.add(JSON.readTree(answer.body()).get("id").asText());
                        if (sent - counted >= 0 && System.nanoTime() - until <= 0) {
                            perReplica.incrementAndGet(r);
                        }
                    } else {
                        refused.add(answer.statusCode());
                    }
                }
                return i;
            });
        }
        concurrently(clients);

        int total = perReplica.get(0) + perReplica.get(1) + perReplica.get(2);
        List<Long> shares = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            shares.add(Math.round(100.0 * perReplica.get(r) / total));
        }
        JsonNode queue = replica(1).call(200, "GET", "/v1/queues/fair", null);
        Set<String> stored = new HashSet<>();
        queue.get("commands").forEach(c -> stored.add(c.get("id").asText()));
        System.out.printf("[figures] etcd records: 3 instances x 8 clients on one queue, %d s after 3 s of warm-up: "
                + "%d appends (%.0f/s), per instance %s, shares %s %%; %d acknowledged in all, refused %s%n",
                COUNTED_SECONDS, total, total / (double) COUNTED_SECONDS, perReplica, shares, acknowledged.size(),
                refused);
        assertEquals(acknowledged.size(), new HashSet<>(acknowledged).size(), "ids unique");
        assertTrue(stored.containsAll(acknowledged), "every acknowledged append is stored");
        assertEquals(queue.get("commands").size(), stored.size(), "no command twice");
        refused.forEach(status -> assertEquals(503, status, "a refused append answers 503"));
        for (int r = 0; r < 3; r++) {
            assertTrue(perReplica.get(r) * 100 >= 15 * total, "instance " + r + " got " + shares.get(r)
                    + " % of the appends: " + shares);
        }
    }

    @Test
    void concurrentSessionUpdatesAreAllKeptAndAStaleIfMatchIsRefused() throws Exception {
        replica(0).call(201, "POST", "/v1/groups", Map.of("id", "g", "name", "G", "sessions", List.of()));
        List<Callable<Integer>> updates = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
            HaspProcess via = replica(i);
            int n = i;
            updates.add(() -> {
                via.call(200, "PUT", "/v1/groups/g/sessions/s" + n, Map.of("status", "running", "n", n));
                return n;
            });
        }
        concurrently(updates);
        JsonNode group = replica(2).call(200, "GET", "/v1/groups/g", null);
        assertEquals(120, group.get("sessions").size(), "every session update kept");

        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "etags", "name", "E"));
        HttpResponse<String> before = replica(0).send("GET", "/v1/queues/etags", null);
        String etag = before.headers().firstValue("ETag").orElseThrow();
        replica(1).call(201, "POST", "/v1/queues/etags/commands", Map.of("id", "x", "command", "x"));
        HttpRequest stale = HttpRequest.newBuilder(URI.create("http://localhost:" + replica(2).port()
                        + "/v1/queues/etags/commands")).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + HaspProcess.ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("If-Match", etag)
                .POST(HttpRequest.BodyPublishers.ofString("{\"id\":\"y\",\"command\":\"y\"}")).build();
        HttpResponse<String> refused = HTTP.send(stale, HttpResponse.BodyHandlers.ofString());
        assertEquals(412, refused.statusCode(), refused.body());
        assertEquals(1, replica(0).call(200, "GET", "/v1/queues/etags", null).get("commands").size());
    }

    @Test
    void aTokenMadeOnOneInstanceWorksOnTheOthersAndItsRevocationIsSeenEverywhereWithinASecond() throws Exception {
        JsonNode made = replica(0).call(201, "POST", "/v1/tokens", Map.of("name", "shared", "scopes", List.of("read")));
        String secret = made.get("token").asText();
        for (int i = 0; i < 3; i++) {
            HaspProcess via = replica(i);
            Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                    .until(() -> status(via, secret, "/v1/queues") == 200);
        }
        replica(0).call(204, "DELETE", "/v1/tokens/" + made.get("id").asText(), null);
        long revoked = System.nanoTime();
        List<Long> seenAfter = new ArrayList<>();
        for (int i = 1; i < 3; i++) {
            HaspProcess via = replica(i);
            Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                    .until(() -> status(via, secret, "/v1/queues") == 401);
            seenAfter.add((System.nanoTime() - revoked) / 1_000_000);
        }
        System.out.printf("[figures] etcd records: a revocation on A seen by B and C after %s ms%n", seenAfter);
        assertTrue(seenAfter.stream().allMatch(ms -> ms < 1000), "seen after " + seenAfter + " ms");

        // and no instance wrote a record to its data directory
        for (Path data : List.of(dataA, dataB, dataC)) {
            try (Stream<Path> files = Files.list(data)) {
                List<String> names = files.map(p -> p.getFileName().toString()).toList();
                for (String records : List.of("queues", "groups", "bookmarks", "tokens.json", "credentials.json")) {
                    assertFalse(names.contains(records), records + " in " + data + ": " + names);
                }
            }
        }
    }

    @Test
    void appendsGoOnThroughAKill9OfTheEtcdLeaderAndEveryAcknowledgedOneIsKept() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "leader", "name", "Leader"));
        long until = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        ConcurrentLinkedQueue<String> acknowledged = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Integer> refused = new ConcurrentLinkedQueue<>();
        List<Callable<Integer>> clients = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            HaspProcess via = replica(c);
            int client = c;
            clients.add(() -> {
                int i = 0;
                while (System.nanoTime() < until) {
                    HttpResponse<String> r = via.send("POST", "/v1/queues/leader/commands",
                            Map.of("command", "client " + client + " append " + i++));
                    if (r.statusCode() == 201) {
                        acknowledged.add(JSON.readTree(r.body()).get("id").asText());
                    } else {
                        refused.add(r.statusCode());
                    }
                }
                return i;
            });
        }
        ExecutorService killer = Executors.newSingleThreadExecutor();
        Future<Integer> killed = killer.submit(() -> {
            TimeUnit.SECONDS.sleep(2);
            int leader = etcd.leader();
            etcd.kill9(leader);
            return leader;
        });
        concurrently(clients);
        killed.get(30, TimeUnit.SECONDS);
        killer.shutdownNow();

        JsonNode queue = replica(1).call(200, "GET", "/v1/queues/leader", null);
        Set<String> stored = new HashSet<>();
        queue.get("commands").forEach(c -> stored.add(c.get("id").asText()));
        System.out.printf("[figures] etcd records: leader killed during appends: %d acknowledged, %d stored, "
                + "refused statuses %s%n", acknowledged.size(), stored.size(), new HashSet<>(refused));
        assertTrue(acknowledged.size() > 0);
        assertEquals(acknowledged.size(), new HashSet<>(acknowledged).size(), "ids unique");
        assertTrue(stored.containsAll(acknowledged), "every acknowledged append is stored");
        assertEquals(queue.get("commands").size(), stored.size(), "no command twice");
        refused.forEach(status -> assertEquals(503, status, "a refused append answers 503"));
    }

    @Test
    void everyInstanceKilledAndStartedAgainFindsEveryRecord() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "kept", "name", "Kept"));
        for (int i = 0; i < 20; i++) {
            replica(i).call(201, "POST", "/v1/queues/kept/commands", Map.of("id", "k" + i, "command", "k " + i));
        }
        replica(1).call(200, "POST", "/v1/queues/kept/claim", Map.of("runnerId", "r", "leaseMs", 600_000));
        replica(2).call(201, "POST", "/v1/bookmarks", Map.of("id", "bm", "title", "T",
                "target", "https://example.org", "tags", List.of("a")));
        replica(0).call(201, "POST", "/v1/groups", Map.of("id", "grp", "name", "G", "sessions", List.of()));
        replica(1).call(200, "PUT", "/v1/groups/grp/sessions/s1", Map.of("status", "running"));
        replica(2).call(201, "POST", "/v1/tokens", Map.of("name", "kept", "scopes", List.of("read")));
        replica(0).call(201, "PUT", "/v1/credentials/kept", Map.of("value", "kept-value"));
        replica(1).call(200, "POST", "/v1/file-changes/sessions/s1",
                Map.of("changes", List.of(Map.of("path", "a.txt", "kind", "modified"))));
        String before = export(replica(0));

        for (HaspProcess p : replicas) {
            p.kill9();
        }
        replicas.clear();
        startReplicas();

        for (int i = 0; i < 3; i++) {
            assertEquals(before, export(replica(i)), "replica " + i + " after the restart");
        }
        assertTrue(before.contains("\"kind\":\"credential\",\"id\":\"kept\""), before);
        assertTrue(before.contains("\"kind\":\"file-changes\""), before);
    }

    /**
     * The sweeper in etcd mode: a command whose claim expired goes back to {@code pending} (released by whichever
     * instance's sweeper came first), the record and etcd metrics are served by every instance, and no data directory
     * holds anything of the records.
     */
    @Test
    void anExpiredClaimReturnsToPendingAndTheMetricsAreServedWithoutARecordOnDisk() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "expiry", "name", "Expiry"));
        replica(1).call(201, "POST", "/v1/queues/expiry/commands", Map.of("id", "e1", "command", "e 1"));
        replica(2).call(201, "POST", "/v1/queues/expiry/commands", Map.of("id", "e2", "command", "e 2"));
        JsonNode claimed = replica(1).call(200, "POST", "/v1/queues/expiry/claim",
                Map.of("runnerId", "gone", "leaseMs", 500));
        assertEquals("e1", claimed.get("id").asText());
        assertEquals("running", command(replica(2), "expiry", "e1").get("status").asText());

        // the instances sweep every second (HaspProcess): the claim ends 0.5 s after it was made
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() ->
                "pending".equals(command(replica(0), "expiry", "e1").get("status").asText()));
        JsonNode e1 = command(replica(2), "expiry", "e1");
        assertFalse(e1.has("claimedBy") && !e1.get("claimedBy").isNull(), e1.toString());
        assertEquals("e1", replica(0).call(200, "POST", "/v1/queues/expiry/claim",
                Map.of("runnerId", "next", "leaseMs", 60_000)).get("id").asText(), "claimable again, first in line");

        double released = 0;
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                    + replica(i).port() + "/q/metrics")).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, metrics.statusCode());
            String body = metrics.body();
            for (String op : List.of("txn", "range")) {
                assertTrue(metric(body, "hasp_etcd_rtt_seconds_count", "op=\"" + op + "\"") > 0,
                        "replica " + i + " times etcd " + op + " calls");
            }
            assertTrue(metric(body, "hasp_sweeper_runs_total", "outcome=\"ok\"") > 0, "replica " + i + " sweeps");
            assertEquals(0, metric(body, "hasp_sweeper_runs_total", "outcome=\"failed\""), "replica " + i);
            assertTrue(metric(body, "hasp_sweeper_duration_seconds_count", "") > 0, "replica " + i);
            assertTrue(metric(body, "hasp_locks_holders", "") >= 0, "replica " + i + " serves the holders gauge");
            assertTrue(metric(body, "hasp_etcd_records_deferrals_total", "outcome=\"turn\"") >= 0, "replica " + i);
            assertTrue(metric(body, "hasp_etcd_records_deferrals_total", "outcome=\"timeout\"") >= 0, "replica " + i);
            released += metric(body, "hasp_sweeper_removed_total", "kind=\"expired-claim\"");
        }
        assertEquals(1, released, "the expired claim released once, by one of the sweepers");

        for (Path data : List.of(dataA, dataB, dataC)) {
            try (Stream<Path> files = Files.walk(data)) {
                List<String> found = files.filter(p -> !p.equals(data)).map(p -> data.relativize(p).toString())
                        .toList();
                System.out.printf("[figures] etcd records: data directory of an instance holds %s%n", found);
                for (String name : found) {
                    assertFalse(name.matches("(queues|groups|bookmarks|file-changes)(/.*)?"
                            + "|.*\\.(json|journal|lock|fence)|.*\\.tmp\\..*"), name + " in " + found);
                }
            }
        }
    }

    /**
     * An export taken while writes go on is one state of every record: a writer creates bookmark {@code bI} and then
     * appends command {@code cI} to queue {@code ledger}, so every state has as many bookmarks as commands or one more,
     * and the ledger holds exactly {@code c0 .. cN} in order; 8 more writers keep 40 other queues changing, so that
     * reading the queues takes a while. Every export of 12, read through another instance, must be such a state.
     */
    @Test
    void anExportTakenWhileWritesGoOnIsOneStateOfEveryRecord() throws Exception {
        replica(0).call(201, "POST", "/v1/queues", Map.of("id", "ledger", "name", "Ledger"));
        for (int q = 0; q < 40; q++) {
            replica(q).call(201, "POST", "/v1/queues", Map.of("id", "noise-" + q, "name", "Noise " + q));
        }
        AtomicBoolean done = new AtomicBoolean();
        List<Callable<Integer>> writers = new ArrayList<>();
        writers.add(() -> {
            int i = 0;
            while (!done.get() && i < 2000) {
                replica(0).call(201, "POST", "/v1/bookmarks", Map.of("id", "b" + i, "title", "B " + i,
                        "target", "https://example.org/" + i));
                replica(2).call(201, "POST", "/v1/queues/ledger/commands", Map.of("id", "c" + i, "command", "c " + i));
                i++;
            }
            return i;
        });
        for (int w = 0; w < 8; w++) {
            int writer = w;
            writers.add(() -> {
                int i = 0;
                while (!done.get() && i < 2000) {
                    replica(writer).call(201, "POST", "/v1/queues/noise-" + (writer + 8 * (i % 5)) + "/commands",
                            Map.of("command", "w " + writer + " " + i));
                    i++;
                }
                return i;
            });
        }
        List<Callable<Integer>> all = new ArrayList<>(writers);
        List<String> states = new ArrayList<>();
        all.add(() -> {
            try {
                for (int e = 0; e < 12; e++) {
                    int bookmarks = 0;
                    List<String> ledger = List.of();
                    for (String line : export(replica(1)).lines().toList()) {
                        JsonNode l = JSON.readTree(line);
                        if (l.get("kind").asText().equals("bookmark")) {
                            bookmarks++;
                        } else if (l.get("id").asText().equals("ledger")) {
                            List<String> ids = new ArrayList<>();
                            l.get("record").get("commands").forEach(c -> ids.add(c.get("id").asText()));
                            ledger = ids;
                        }
                        if (l.get("kind").asText().equals("queue")) {
                            Set<String> unique = new HashSet<>();
                            l.get("record").get("commands").forEach(c -> unique.add(c.get("id").asText()));
                            assertEquals(l.get("record").get("commands").size(), unique.size(), line);
                        }
                    }
                    states.add(bookmarks + "/" + ledger.size());
                    for (int i = 0; i < ledger.size(); i++) {
                        assertEquals("c" + i, ledger.get(i), "the ledger in export " + e + ": " + ledger);
                    }
                    assertTrue(bookmarks == ledger.size() || bookmarks == ledger.size() + 1, "export " + e
                            + " has " + bookmarks + " bookmarks and " + ledger.size() + " commands: " + states);
                }
                return states.size();
            } finally {
                done.set(true);
            }
        });
        List<Integer> counts = concurrently(all);
        System.out.printf("[figures] etcd records: 12 exports while %s writes went on: bookmarks/commands %s%n",
                counts.subList(0, writers.size()), states);
    }

    /** Command {@code id} of queue {@code queue}, as {@code via} reads it. */
    private static JsonNode command(HaspProcess via, String queue, String id) throws Exception {
        for (JsonNode c : via.call(200, "GET", "/v1/queues/" + queue, null).get("commands")) {
            if (id.equals(c.get("id").asText())) {
                return c;
            }
        }
        throw new AssertionError("no command " + id + " in " + queue);
    }

    /** The sum of the samples of {@code name} whose labels contain {@code label} in a Prometheus text answer. */
    private static double metric(String body, String name, String label) {
        double sum = 0;
        boolean found = false;
        for (String line : body.lines().toList()) {
            if ((line.startsWith(name + "{") || line.startsWith(name + " ")) && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertTrue(found, name + " {" + label + "} is not served");
        return sum;
    }

    /** The export's lines, sorted. */
    private static String export(HaspProcess via) throws Exception {
        HttpResponse<String> r = via.send("GET", "/v1/admin/export", null);
        assertEquals(200, r.statusCode(), r.body());
        return String.join("\n", r.body().lines().sorted().toList());
    }
}
