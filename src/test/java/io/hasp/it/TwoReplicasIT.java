package io.hasp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Two service processes on one data directory: a lease granted by one replica is renewed and released through the
 * other; a replica killed with {@code kill -9} while a lease is held leaves the lock held until the lease ends;
 * fencing tokens increase across replicas and restarts. Figures are printed for the report.
 */
@Timeout(value = 240)
class TwoReplicasIT {

    @TempDir
    Path data;

    private static long token(JsonNode grant) {
        return grant.get("fencingToken").asLong();
    }

    @Test
    void leaseGrantedByOneReplicaIsRenewedAndReleasedThroughTheOther() throws Exception {
        try (HaspProcess a = HaspProcess.start("renew-a", data); HaspProcess b = HaspProcess.start("renew-b", data)) {
            // a lease long enough that a slow first request on a loaded machine cannot outlive it
            JsonNode grant = a.call(201, "POST", "/v1/locks/shared-name", Map.of("leaseMs", 8000));
            String lockId = grant.get("lockId").asText();
            Instant firstEnd = Instant.parse(grant.get("expiresAt").asText());

            JsonNode seen = b.call(200, "GET", "/v1/locks/shared-name", null);
            assertTrue(seen.get("locked").asBoolean());
            assertEquals(a.pid(), seen.get("holders").get(0).get("pid").asLong());
            assertFalse(seen.toString().contains(lockId));
            b.call(409, "POST", "/v1/locks/shared-name", Map.of("timeoutMs", 0));

            JsonNode renewed = b.call(200, "POST", "/v1/locks/shared-name/" + lockId + "/renew",
                    Map.of("leaseMs", 60000));
            assertEquals(token(grant), token(renewed));
            assertTrue(Instant.parse(renewed.get("expiresAt").asText()).isAfter(firstEnd.plusSeconds(40)));
            // the renewal holds beyond the first lease's end, seen from the granting replica
            long untilFirstEnd = Duration.between(Instant.now(), firstEnd).toMillis() + 500;
            // time is the subject: the first lease's end must have passed (nothing happens then to wait on)
            Thread.sleep(Math.max(0, Math.min(untilFirstEnd, 9000)));
            assertTrue(a.call(200, "GET", "/v1/locks/shared-name", null).get("locked").asBoolean());
            a.call(409, "POST", "/v1/locks/shared-name", Map.of("timeoutMs", 0));

            b.call(204, "DELETE", "/v1/locks/shared-name/" + lockId, null);
            assertFalse(a.call(200, "GET", "/v1/locks/shared-name", null).get("locked").asBoolean());
            a.call(404, "DELETE", "/v1/locks/shared-name/" + lockId, null);
            a.call(404, "POST", "/v1/locks/shared-name/" + lockId + "/renew", null);
        }
    }

    @Test
    void fencingTokensIncreaseAcrossReplicasAndARestart() throws Exception {
        long last = 0;
        try (HaspProcess a = HaspProcess.start("fence-a", data); HaspProcess b = HaspProcess.start("fence-b", data)) {
            for (int i = 0; i < 6; i++) {
                HaspProcess via = i % 2 == 0 ? a : b;
                JsonNode g = via.call(201, "POST", "/v1/locks/fenced", Map.of());
                assertTrue(token(g) > last, token(g) + " after " + last);
                last = token(g);
                via.call(204, "DELETE", "/v1/locks/fenced/" + g.get("lockId").asText(), null);
            }
            a.stop();
        }
        try (HaspProcess again = HaspProcess.start("fence-restart", data)) {
            JsonNode g = again.call(201, "POST", "/v1/locks/fenced", Map.of());
            assertTrue(token(g) > last, "after restart " + token(g) + " <= " + last);
            System.out.printf("[figures] fencing token before restart %d, after %d%n", last, token(g));
        }
    }

    @Test
    void leaseOfAKilledReplicaStaysHeldUntilItEndsThenIsReleased() throws Exception {
        long leaseMs = 3000;
        try (HaspProcess a = HaspProcess.start("kill-a", data); HaspProcess b = HaspProcess.start("kill-b", data)) {
            JsonNode waitedFor = a.call(201, "POST", "/v1/locks/orphaned", Map.of("leaseMs", leaseMs));
            JsonNode swept = a.call(201, "POST", "/v1/locks/swept", Map.of("leaseMs", leaseMs));
            Instant expires = Instant.parse(waitedFor.get("expiresAt").asText());
            long killedPid = a.pid();
            a.kill9();
            long killedAt = System.nanoTime();

            JsonNode busy = b.call(409, "POST", "/v1/locks/orphaned", Map.of("timeoutMs", 0));
            assertEquals("locked", busy.get("reason").asText());
            assertEquals(killedPid, busy.get("pid").asLong());

            JsonNode taken = b.call(201, "POST", "/v1/locks/orphaned",
                    Map.of("timeoutMs", 15000, "retryIntervalMs", 50, "maxRetries", 100000));
            long waitedMs = (System.nanoTime() - killedAt) / 1_000_000;
            Instant grantedAt = Instant.parse(taken.get("acquiredAt").asText());
            assertFalse(grantedAt.isBefore(expires), "granted at " + grantedAt + " before the lease ended " + expires);
            assertTrue(token(taken) > token(waitedFor));
            System.out.printf("[figures] lease %d ms; after kill -9 the lock was granted to the other replica "
                    + "%d ms after the kill, %d ms after expiresAt%n", leaseMs, waitedMs,
                    Duration.between(expires, grantedAt).toMillis());

            // nobody asks for "swept": the surviving replica's sweeper removes the expired lease on its own
            Path lockFile = data.resolve("locks").resolve("swept.lock");
            long sweepStart = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                    .until(() -> !Files.exists(lockFile));
            System.out.printf("[figures] expired lease file removed by the sweeper %d ms after the kill%n",
                    (System.nanoTime() - killedAt) / 1_000_000);
            assertTrue(System.nanoTime() - sweepStart < Duration.ofSeconds(15).toNanos());
            String metrics = b.send("GET", "/q/metrics", null).body();
            assertTrue(metrics.lines().anyMatch(l -> l.startsWith("hasp_leases_expired_total")
                    && Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1), "no expired lease counted");
            assertEquals(token(swept) > 0, true);
            b.call(204, "DELETE", "/v1/locks/orphaned/" + taken.get("lockId").asText(), null);
        }
    }
}
