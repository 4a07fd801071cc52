package io.hasp.lease;

import static io.hasp.lease.LockApi.acquire;
import static io.hasp.lease.LockApi.api;
import static io.hasp.lease.LockApi.release;
import static io.hasp.lease.LockApi.uniqueName;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * A lease that has ended is no longer held, even while its lock file is still on disk (no sweep has run since):
 * releasing or renewing it answers 404, as API.md says, and the name is free for the next client.
 */
@QuarkusTest
@TestProfile(NoSweeperProfile.class)
class EndedLeaseTest {

    @Inject
    HaspConfig config;

    @Test
    void releasingAnEndedLeaseIs404AndFreesTheName() {
        String name = uniqueName("ended");
        Response grant = acquire(name, Map.of("leaseMs", 200));
        grant.then().statusCode(201);
        Instant expiresAt = Instant.parse(grant.path("expiresAt"));
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().isAfter(expiresAt));
        assertTrue(Files.exists(config.dataDir().resolve("locks").resolve(name + ".lock")),
                "no sweep ran: the ended lease is still in its file");

        release(name, grant.path("lockId")).then().statusCode(404)
                .contentType("application/problem+json").body("reason", equalTo("not-found"));
        api().post("/v1/locks/{name}/{lockId}/renew", name, grant.<String>path("lockId")).then().statusCode(404);
        Response next = acquire(name, Map.of("timeoutMs", 0, "leaseMs", 5000));
        next.then().statusCode(201);
        release(name, next.path("lockId")).then().statusCode(204);
    }
}
