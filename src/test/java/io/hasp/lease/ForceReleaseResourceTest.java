package io.hasp.lease;

import static io.hasp.lease.LockApi.acquire;
import static io.hasp.lease.LockApi.api;
import static io.hasp.lease.LockApi.uniqueName;
import static io.hasp.lease.NamedLockResourceTest.counter;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hasp.http.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** {@code DELETE /v1/locks/{name}}: the operator's force release (API.md, "Named locks"). */
@QuarkusTest
class ForceReleaseResourceTest {

    private static final String RELEASED = "hasp_locks_force_releases_total{outcome=\"released\"}";
    private static final String NOT_HELD = "hasp_locks_force_releases_total{outcome=\"not-held\"}";

    private final List<String> logLines = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logLines.add(record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage());
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        Logger.getLogger(NamedLockResource.class.getName()).addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        Logger.getLogger(NamedLockResource.class.getName()).removeHandler(capture);
    }

    private static double metric(String series) {
        return counter(given().get("/q/metrics").then().statusCode(200).extract().asString(), series);
    }

    @Test
    void forceReleaseEndsTheGrantWhoseRenewAndReleaseThenAnswer404() {
        String name = uniqueName("force");
        Response grant = acquire(name, Map.of("leaseMs", 60000));
        grant.then().statusCode(201);
        String lockId = grant.path("lockId");
        double before = metric(RELEASED);

        api().delete("/v1/locks/{name}", name).then().statusCode(204);

        api().get("/v1/locks/{name}", name).then().statusCode(200).body("locked", equalTo(false));
        api().post("/v1/locks/{name}/{id}/renew", name, lockId).then().statusCode(404);
        api().delete("/v1/locks/{name}/{id}", name, lockId).then().statusCode(404);
        assertEquals(before + 1, metric(RELEASED));
        // the name is free for the next client, with a greater fencing token
        Response next = acquire(name, Map.of("timeoutMs", 0));
        next.then().statusCode(201);
        assertTrue(((Number) next.path("fencingToken")).longValue()
                > ((Number) grant.path("fencingToken")).longValue());
        api().delete("/v1/locks/{name}/{id}", name, next.<String>path("lockId")).then().statusCode(204);
    }

    @Test
    void forceReleaseEndsEverySharedGrant() {
        String name = uniqueName("force-shared");
        acquire(name, Map.of("type", "shared")).then().statusCode(201);
        acquire(name, Map.of("type", "shared", "timeoutMs", 0)).then().statusCode(201);
        api().get("/v1/locks/{name}", name).then().body("holders", hasSize(2));

        api().delete("/v1/locks/{name}", name).then().statusCode(204);

        api().get("/v1/locks/{name}", name).then().body("locked", equalTo(false)).body("holders", hasSize(0));
    }

    @Test
    void forceReleaseOfAFreeNameIs404AndCountedAsNotHeld() {
        double before = metric(NOT_HELD);

        api().delete("/v1/locks/{name}", uniqueName("never-held")).then().statusCode(404)
                .contentType("application/problem+json").body("reason", equalTo("not-found"))
                .body("detail", containsString("not held"));

        assertEquals(before + 1, metric(NOT_HELD));
    }

    @Test
    void forceReleaseNeedsAnAdminToken() {
        String name = uniqueName("force-scope");
        Response grant = acquire(name, Map.of("leaseMs", 60000));
        String readWrite = Auth.token("read", "write");

        given().delete("/v1/locks/{name}", name).then().statusCode(401);
        Auth.as("hasp_nope_nope").delete("/v1/locks/{name}", name).then().statusCode(401);
        Auth.as(readWrite).delete("/v1/locks/{name}", name).then().statusCode(403)
                .contentType("application/problem+json").body("detail", containsString("admin"));
        api().get("/v1/locks/{name}", name).then().body("locked", equalTo(true));
        api().delete("/v1/locks/{name}", "a..b").then().statusCode(400).body("reason", equalTo("invalid-name"));
        api().delete("/v1/locks/{name}/{id}", name, grant.<String>path("lockId")).then().statusCode(204);
    }

    @Test
    void forceReleaseIsLoggedWithTheTokenNameNeverItsSecret() {
        String name = uniqueName("force-log");
        acquire(name, Map.of("leaseMs", 60000)).then().statusCode(201);
        String secret = Auth.admin().body(Map.of("name", "ops-alice", "scopes", List.of("admin")))
                .post("/v1/tokens").then().statusCode(201).extract().path("token");

        Auth.as(secret).delete("/v1/locks/{name}", name).then().statusCode(204);

        assertTrue(logLines.stream().anyMatch(l -> l.contains(name) && l.contains("'ops-alice'")),
                "no log line names the lock and the token: " + logLines);
        assertFalse(logLines.stream().anyMatch(l -> l.contains(secret)), "a log line carries the secret");
        Auth.admin().delete("/v1/locks/{name}", name).then().statusCode(404);
        assertTrue(logLines.stream().anyMatch(l -> l.contains(name) && l.contains("'bootstrap admin'")),
                "the bootstrap admin token is named in the log: " + logLines);
    }
}
