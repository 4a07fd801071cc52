package io.hasp.console;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** {@code GET /v1/overview}: what a read token may see, and never a lock id. */
@QuarkusTest
class OverviewResourceTest {

    private static final String OVERVIEW = "/v1/overview";

    @Test
    void missingBadAndUnderScopedTokensAre401And403() {
        given().get(OVERVIEW).then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", "Bearer");
        as("hasp_0000_bogus").get(OVERVIEW).then().statusCode(401).contentType("application/problem+json");
        as(token("write")).get(OVERVIEW).then().statusCode(403).contentType("application/problem+json")
                .body("detail", containsString("read"));
    }

    @Test
    void aReadTokenSeesLocksQueueCountsGroupsAndReadinessButNoLockId() {
        String lock = "overview-" + UUID.randomUUID();
        String lockId = admin().body(Map.of("leaseMs", 60000)).post("/v1/locks/{n}", lock).then().statusCode(201)
                .extract().path("lockId");
        String queue = "ov-" + UUID.randomUUID();
        admin().body(Map.of("id", queue, "name", "Overview queue")).post("/v1/queues").then().statusCode(201);
        for (String c : List.of("a", "b", "c", "d")) {
            admin().body(Map.of("id", c, "command", "run " + c)).post("/v1/queues/" + queue + "/commands")
                    .then().statusCode(201);
        }
        admin().body(Map.of("runnerId", "r1", "leaseMs", 60000)).post("/v1/queues/" + queue + "/claim")
                .then().statusCode(200).body("id", equalTo("a"));
        admin().body(Map.of("status", "failed")).patch("/v1/queues/" + queue + "/commands/b").then().statusCode(200);
        String group = "ov-" + UUID.randomUUID();
        admin().body(Map.of("id", group, "name", "Overview group",
                        "sessions", List.of(Map.of("sessionId", "s1", "status", "active"))))
                .post("/v1/groups").then().statusCode(201);
        String read = token("read");

        String l = "locks.find { it.name == '" + lock + "' }";
        String body = as(read).get(OVERVIEW).then().statusCode(200).contentType("application/json")
                .body("scopes", equalTo(List.of("read")))
                .body("generatedAt", notNullValue())
                .body("readiness.status", equalTo("UP"))
                .body("readiness.checks.name", hasItem("data-dir"))
                .body(l + ".locked", equalTo(true))
                .body(l + ".holders[0].type", equalTo("exclusive"))
                .body(l + ".holders[0].pid", notNullValue())
                .body(l + ".holders[0].hostname", notNullValue())
                .body(l + ".holders[0].expiresAt", notNullValue())
                .extract().asString();
        assertFalse(body.contains(lockId), "the overview shows a lock id");
        assertFalse(body.contains("lockId"), "the overview has a lockId member");

        String q = "queues.find { it.id == '" + queue + "' }";
        as(read).get(OVERVIEW).then()
                .body(q + ".name", equalTo("Overview queue"))
                .body(q + ".total", equalTo(4))
                .body(q + ".pending", equalTo(2))
                .body(q + ".running", equalTo(1))
                .body(q + ".failed", equalTo(1))
                .body(q + ".completed", equalTo(0))
                .body(q + ".oldestPendingAt", notNullValue())
                .body(q + ".oldestPendingAgeMs", greaterThanOrEqualTo(0))
                .body("groups.find { it.id == '" + group + "' }.sessionCount", equalTo(1))
                .body("groups.find { it.id == '" + group + "' }.sessions[0].sessionId", equalTo("s1"))
                .body("groups.find { it.id == '" + group + "' }.sessions[0].status", equalTo("active"));

        admin().delete("/v1/locks/{n}/{id}", lock, lockId).then().statusCode(204);
        as(read).get(OVERVIEW).then().statusCode(200)
                .body("locks.findAll { it.name == '" + lock + "' }.size()", equalTo(0));
    }

    @Test
    void theSweepersLastRunIsShownOnceItRan() {
        // the test profile sweeps every second
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> admin().get(OVERVIEW).then().statusCode(200).extract().path("sweeper") != null);
        admin().get(OVERVIEW).then()
                .body("scopes", equalTo(List.of("admin")))
                .body("sweeper.finishedAt", notNullValue())
                .body("sweeper.lockFilesScanned", greaterThanOrEqualTo(0))
                .body("sweeper.staleLocksRemoved", greaterThanOrEqualTo(0))
                .body("sweeper.tempFilesRemoved", greaterThanOrEqualTo(0))
                .body("sweeper.claimsReleased", greaterThanOrEqualTo(0));
    }
}
