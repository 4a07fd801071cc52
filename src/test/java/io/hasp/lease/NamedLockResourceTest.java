package io.hasp.lease;

import static io.hasp.lease.LockApi.acquire;
import static io.hasp.lease.LockApi.api;
import static io.hasp.lease.LockApi.release;
import static io.hasp.lease.LockApi.uniqueName;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.http.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Every status code of API.md's "Named locks", through HTTP. */
@QuarkusTest
class NamedLockResourceTest {

    @Inject
    HaspConfig config;

    private Path locksDir() {
        return config.dataDir().resolve("locks");
    }

    private static Map<String, Object> opts(Object... kv) {
        java.util.LinkedHashMap<String, Object> m = new java.util.LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put((String) kv[i], kv[i + 1]);
        }
        return m;
    }

    @Test
    void acquireAnswers201WithLocationAndGrant() {
        String name = uniqueName("a");
        Response r = acquire(name, opts("leaseMs", 5000));
        r.then().statusCode(201)
                .header("Location", endsWith("/v1/locks/" + name + "/" + r.path("lockId")))
                .body("name", equalTo(name))
                .body("type", equalTo("exclusive"))
                .body("fencingToken", notNullValue())
                .body("acquiredAt", notNullValue())
                .body("expiresAt", notNullValue());
        Instant acquired = Instant.parse(r.path("acquiredAt"));
        Instant expires = Instant.parse(r.path("expiresAt"));
        assertEquals(5000, Duration.between(acquired, expires).toMillis());
        assertTrue(Files.exists(locksDir().resolve(name + ".lock")));
        release(name, r.path("lockId")).then().statusCode(204);
    }

    @Test
    void acquireWithoutBodyTakesTheDefaults() {
        String name = uniqueName("nobody");
        // no body and no Content-Type at all, as `curl -X POST` sends it
        Response r = io.restassured.RestAssured.given().header("Authorization", "Bearer " + Auth.ADMIN_TOKEN)
                .when().post("/v1/locks/{name}", name);
        r.then().statusCode(201).body("type", equalTo("exclusive"));
        long leaseMs = Duration.between(Instant.parse(r.path("acquiredAt")), Instant.parse(r.path("expiresAt")))
                .toMillis();
        assertEquals(config.lease().defaultLease().toMillis(), leaseMs);
        release(name, r.path("lockId")).then().statusCode(204);
    }

    @Test
    void busyLockWithZeroTimeoutAnswers409LockedWithTheHolder() {
        String name = uniqueName("busy");
        Response first = acquire(name, opts());
        first.then().statusCode(201);
        acquire(name, opts("timeoutMs", 0)).then().statusCode(409)
                .contentType("application/problem+json")
                .body("status", equalTo(409))
                .body("reason", equalTo("locked"))
                .body("pid", equalTo((int) ProcessHandle.current().pid()))
                .body("hostname", notNullValue())
                .body("since", notNullValue())
                .body("holder.fencingToken", equalTo(first.path("fencingToken")))
                .body(not(containsString((String) first.path("lockId"))));
        release(name, first.path("lockId")).then().statusCode(204);
    }

    @Test
    void busyLockPastItsDeadlineAnswers409Timeout() {
        String name = uniqueName("timeout");
        Response first = acquire(name, opts());
        long start = System.nanoTime();
        acquire(name, opts("timeoutMs", 400, "retryIntervalMs", 50, "maxRetries", 1000)).then().statusCode(409)
                .body("reason", equalTo("timeout"))
                .body("holder.type", equalTo("exclusive"));
        long waitedMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(waitedMs >= 380, "gave up after " + waitedMs + " ms");
        release(name, first.path("lockId")).then().statusCode(204);
    }

    @Test
    void busyLockAfterItsRetriesAnswers409Locked() {
        String name = uniqueName("retries");
        Response first = acquire(name, opts());
        acquire(name, opts("timeoutMs", 20000, "retryIntervalMs", 10, "maxRetries", 2)).then().statusCode(409)
                .body("reason", equalTo("locked"));
        release(name, first.path("lockId")).then().statusCode(204);
    }

    @Test
    void sharedLocksAreHeldTogetherAndExcludeWriters() {
        String name = uniqueName("shared");
        Response a = acquire(name, opts("type", "shared"));
        Response b = acquire(name, opts("type", "shared", "timeoutMs", 0));
        a.then().statusCode(201).body("type", equalTo("shared"));
        b.then().statusCode(201);
        acquire(name, opts("timeoutMs", 0)).then().statusCode(409).body("reason", equalTo("locked"));
        api().get("/v1/locks/{name}", name).then().statusCode(200).body("holders", hasSize(2));
        release(name, a.path("lockId")).then().statusCode(204);
        release(name, b.path("lockId")).then().statusCode(204);
    }

    @Test
    void invalidNamesAnswer400AndTouchNothing() throws Exception {
        for (String bad : List.of("-leading-dash", "a..b", ".hidden", "x".repeat(129), "sp ace", "semi;colon")) {
            acquire(bad, opts()).then().statusCode(400).contentType("application/problem+json")
                    .body("reason", equalTo("invalid-name"));
            api().get("/v1/locks/{name}", bad).then().statusCode(400).body("reason", equalTo("invalid-name"));
        }
        api().get("/v1/locks/%2e%2e").then().statusCode(400);
        release("ok-name", "not..an-id").then().statusCode(400).body("reason", equalTo("invalid-name"));
        try (var files = Files.list(locksDir())) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().contains("..")
                    || p.getFileName().toString().startsWith("-") || p.getFileName().toString().startsWith("xxxx")));
        }
    }

    @Test
    void invalidOptionsAnswer400AndTakeNoLock() {
        String name = uniqueName("opts");
        acquire(name, opts("timeoutMs", -1)).then().statusCode(400);
        acquire(name, opts("retryIntervalMs", 0)).then().statusCode(400);
        // issue 8, defect 4: a client-chosen retry interval of a day used to keep a dead waiter's mark for a day
        acquire(name, opts("retryIntervalMs", 24L * 3600 * 1000)).then().statusCode(400);
        acquire(name, opts("retryIntervalMs", 60_001)).then().statusCode(400);
        acquire(name, opts("maxRetries", -3)).then().statusCode(400);
        acquire(name, opts("leaseMs", 0)).then().statusCode(400);
        acquire(name, opts("timeoutMs", 10L * 24 * 3600 * 1000)).then().statusCode(400);
        acquire(name, opts("type", "bogus")).then().statusCode(400);
        acquire(name, opts("timeoutMs", "soon")).then().statusCode(400);
        api().body("{\"timeoutMs\": ").post("/v1/locks/{name}", name).then().statusCode(400)
                .contentType("application/problem+json");
        long overMax = config.lease().max().toMillis() + 1;
        acquire(name, opts("leaseMs", overMax)).then().statusCode(400)
                .body("detail", containsString("hasp.lease.max"));
        assertFalse(Files.exists(locksDir().resolve(name + ".lock")));
    }

    @Test
    void renewExtendsTheLeaseAndAnswers404OnceReleased() {
        String name = uniqueName("renew");
        Response grant = acquire(name, opts("leaseMs", 1000));
        String lockId = grant.path("lockId");
        Response renewed = api().body(Map.of("leaseMs", 60000))
                .post("/v1/locks/{name}/{lockId}/renew", name, lockId);
        renewed.then().statusCode(200)
                .body("lockId", equalTo(lockId))
                .body("fencingToken", equalTo(grant.path("fencingToken")));
        assertTrue(Instant.parse(renewed.path("expiresAt")).isAfter(Instant.parse(grant.path("expiresAt"))));
        api().post("/v1/locks/{name}/{lockId}/renew", name, lockId).then().statusCode(200);
        api().body(Map.of("leaseMs", config.lease().max().toMillis() + 1))
                .post("/v1/locks/{name}/{lockId}/renew", name, lockId).then().statusCode(400);
        api().body(Map.of("leaseMs", 1000))
                .post("/v1/locks/{name}/{lockId}/renew", name, "0123456789abcdef").then().statusCode(404)
                .body("reason", equalTo("not-found"));
        release(name, lockId).then().statusCode(204);
        release(name, lockId).then().statusCode(404).contentType("application/problem+json");
        api().post("/v1/locks/{name}/{lockId}/renew", name, lockId).then().statusCode(404);
    }

    @Test
    void renewWithoutABodyKeepsTheLengthTheLeaseWasGrantedWith() {
        String name = uniqueName("keepalive");
        Response grant = acquire(name, opts("leaseMs", 7000));
        String lockId = grant.path("lockId");
        Response renewed = api().post("/v1/locks/{name}/{lockId}/renew", name, lockId);
        renewed.then().statusCode(200);
        long granted = Duration.between(Instant.parse(grant.path("acquiredAt")),
                Instant.parse(grant.path("expiresAt"))).toMillis();
        long left = Duration.between(Instant.now(), Instant.parse(renewed.path("expiresAt"))).toMillis();
        assertEquals(7000, granted);
        assertTrue(left > 5000 && left <= 7000, "renewed by the granted 7 s, not the 30 s default: " + left + " ms");
        release(name, lockId).then().statusCode(204);
    }

    @Test
    void statusNeverRevealsTheLockId() {
        String name = uniqueName("status");
        api().get("/v1/locks/{name}", name).then().statusCode(200)
                .body("name", equalTo(name)).body("locked", equalTo(false)).body("holders", empty());
        assertFalse(Files.exists(locksDir().resolve(name + ".lock")), "a status must not create anything");
        Response grant = acquire(name, opts());
        String lockId = grant.path("lockId");
        api().get("/v1/locks/{name}", name).then().statusCode(200)
                .body("locked", equalTo(true))
                .body("holders", hasSize(1))
                .body("holders[0].type", equalTo("exclusive"))
                .body("holders[0].fencingToken", equalTo(grant.path("fencingToken")))
                .body("holders[0].pid", equalTo((int) ProcessHandle.current().pid()))
                .body("holders[0]", hasKey("acquiredAt"))
                .body("holders[0]", hasKey("expiresAt"))
                .body("holders[0]", hasKey("hostname"))
                .body("holders[0]", not(hasKey("lockId")))
                .body(not(containsString(lockId)));
        api().get("/v1/locks").then().statusCode(200)
                .body("locks.name", hasItem(name))
                .body(not(containsString(lockId)));
        release(name, lockId).then().statusCode(204);
        api().get("/v1/locks").then().statusCode(200).body("locks.name", not(hasItem(name)));
    }

    @Test
    void tokensAndScopesAreChecked() {
        String name = uniqueName("auth");
        io.restassured.RestAssured.given().post("/v1/locks/{name}", name).then().statusCode(401)
                .contentType("application/problem+json");
        String read = Auth.token("read");
        String write = Auth.token("read", "write");
        Auth.as(read).body("{}").post("/v1/locks/{name}", name).then().statusCode(403);
        Auth.as(read).get("/v1/locks/{name}", name).then().statusCode(200);
        Auth.as(write).get("/v1/locks").then().statusCode(403).body("reason", equalTo("forbidden"));
        Response g = Auth.as(write).body("{}").post("/v1/locks/{name}", name);
        g.then().statusCode(201);
        Auth.as(read).delete("/v1/locks/{name}/{lockId}", name, (String) g.path("lockId")).then().statusCode(403);
        Auth.as(write).delete("/v1/locks/{name}/{lockId}", name, (String) g.path("lockId")).then().statusCode(204);
    }

    @Test
    void fencingTokensStrictlyIncreaseWithEveryGrant() {
        String name = uniqueName("fence");
        long last = 0;
        for (int i = 0; i < 5; i++) {
            Response g = acquire(name, opts());
            long token = ((Number) g.path("fencingToken")).longValue();
            assertTrue(token > last, token + " after " + last);
            last = token;
            release(name, g.path("lockId")).then().statusCode(204);
        }
    }

    @Test
    void expiredLeaseIsTakenByAnotherClient() {
        String name = uniqueName("expire");
        Response first = acquire(name, opts("leaseMs", 300));
        long firstToken = ((Number) first.path("fencingToken")).longValue();
        Response second = acquire(name, opts("timeoutMs", 5000, "retryIntervalMs", 50, "maxRetries", 1000));
        second.then().statusCode(201);
        assertTrue(((Number) second.path("fencingToken")).longValue() > firstToken);
        assertFalse(Instant.parse(second.path("acquiredAt")).isBefore(Instant.parse(first.path("expiresAt"))),
                "granted before the first lease ended");
        api().post("/v1/locks/{name}/{lockId}/renew", name, (String) first.path("lockId")).then().statusCode(404);
        release(name, first.path("lockId")).then().statusCode(404);
        release(name, second.path("lockId")).then().statusCode(204);
    }

    @Test
    void multiAcquireGrantsEveryNameInSortedOrder() {
        String b = uniqueName("multi-b");
        String a = uniqueName("multi-a");
        Response r = api().body(opts("names", List.of(b, a), "leaseMs", 5000)).post("/v1/locks");
        r.then().statusCode(201).body("locks", hasSize(2))
                .body("locks[0].name", equalTo(a)).body("locks[1].name", equalTo(b));
        release(a, r.path("locks[0].lockId")).then().statusCode(204);
        release(b, r.path("locks[1].lockId")).then().statusCode(204);
    }

    @Test
    void multiAcquireFailingOnOneBusyNameLeavesTheOthersFree() {
        String a = uniqueName("all-a");
        String busy = uniqueName("all-b");
        String c = uniqueName("all-c");
        Response held = acquire(busy, opts());
        api().body(opts("names", List.of(c, busy, a), "timeoutMs", 300, "maxRetries", 1000)).post("/v1/locks")
                .then().statusCode(409).body("reason", equalTo("timeout"));
        for (String free : List.of(a, c)) {
            api().get("/v1/locks/{name}", free).then().statusCode(200).body("locked", equalTo(false));
            assertFalse(Files.exists(locksDir().resolve(free + ".lock")), free + " was left locked");
        }
        release(busy, held.path("lockId")).then().statusCode(204);
    }

    @Test
    void multiAcquireRefusesBadBodies() {
        api().body(opts("names", List.of())).post("/v1/locks").then().statusCode(400);
        api().body(opts("names", List.of("same", "same"))).post("/v1/locks").then().statusCode(400);
        api().body(opts("names", List.of("fine", "../etc"))).post("/v1/locks").then().statusCode(400)
                .body("reason", equalTo("invalid-name"));
        api().body(opts("timeoutMs", 10)).post("/v1/locks").then().statusCode(400);
        api().post("/v1/locks").then().statusCode(400);
    }

    @Test
    void metricsCountAcquisitionsByOutcome() {
        String name = uniqueName("metrics");
        Response g = acquire(name, opts());
        acquire(name, opts("timeoutMs", 0)).then().statusCode(409);
        release(name, g.path("lockId")).then().statusCode(204);
        String metrics = api().get("/q/metrics").then().statusCode(200).extract().asString();
        for (String expected : List.of("hasp_locks_acquisitions_total{outcome=\"acquired\"}",
                "hasp_locks_acquisitions_total{outcome=\"locked\"}", "hasp_locks_wait_seconds_count",
                "hasp_locks_hold_seconds_count", "hasp_locks_holders", "hasp_leases_expired_total",
                "hasp_locks_stale_broken_total", "hasp_sweeper_runs_total{outcome=\"ok\"}",
                "hasp_sweeper_duration_seconds_count")) {
            assertTrue(metrics.contains(expected), expected + " missing");
        }
        assertTrue(counter(metrics, "hasp_locks_acquisitions_total{outcome=\"locked\"}") >= 1);
        assertTrue(counter(metrics, "hasp_locks_hold_seconds_count") >= 1);
    }

    static double counter(String metrics, String series) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError(series + " not found");
    }
}
