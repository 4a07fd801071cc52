package io.hasp.http;

import static io.hasp.http.Auth.admin;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.MockFileLockService;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** The lock service swapped for the controllable mock (Quarkus' own mechanism): busy and broken locks over HTTP. */
@QuarkusTest
class LockFailureResourceTest {

    @Inject
    HaspConfig config;

    private final MockFileLockService mock = new MockFileLockService();

    @BeforeEach
    void installMock() {
        QuarkusMock.installMockForType(mock, FileLockService.class);
    }

    @AfterEach
    void resetMock() {
        mock.reset();
    }

    private String newQueue() {
        String id = "lock-" + UUID.randomUUID();
        admin().body(Map.of("id", id, "name", "L")).post("/v1/queues").then().statusCode(201);
        // a replica keeps a record's lock a few milliseconds after a change (hasp.records.linger); the lock
        // behaviours set below apply to the next acquisition
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !mock.isLocked(queueFile(id)).await().atMost(java.time.Duration.ofSeconds(10)));
        return id;
    }

    private Path queueFile(String id) {
        return config.dataDir().resolve("queues").resolve(id + ".json");
    }

    @Test
    void aTimedOutLockIs503WithRetryAfterAndTheHolderAndChangesNothing() {
        String id = newQueue();
        long created = admin().get("/v1/queues/" + id).then().extract().jsonPath().getLong("version");
        mock.simulateContention(queueFile(id));
        mock.setLockBehavior(queueFile(id), MockFileLockService.Behavior.TIMEOUT);

        admin().body(Map.of("command", "x")).post("/v1/queues/" + id + "/commands").then().statusCode(503)
                .contentType("application/problem+json").header("Retry-After", notNullValue())
                .body("reason", equalTo("timeout")).body("status", equalTo(503))
                .body("pid", equalTo((int) MockFileLockService.FOREIGN_PID))
                .body("hostname", equalTo(MockFileLockService.FOREIGN_HOSTNAME)).body("since", notNullValue());

        mock.reset();
        admin().get("/v1/queues/" + id).then().statusCode(200).body("commands.size()", equalTo(0))
                .body("version", equalTo(created));
    }

    @Test
    void aLockThatRunsOutOfRetriesIs503Locked() {
        String id = newQueue();
        mock.simulateContention(queueFile(id));

        admin().body(Map.of("runnerId", "r")).post("/v1/queues/" + id + "/claim").then().statusCode(503)
                .body("reason", anyOf(equalTo("timeout"), equalTo("locked")))
                .body("pid", equalTo((int) MockFileLockService.FOREIGN_PID));
    }

    @Test
    void aLockErrorIs503ErrorWithoutInternals() {
        String id = newQueue();
        mock.setLockBehavior(queueFile(id), MockFileLockService.Behavior.ERROR);

        admin().delete("/v1/queues/" + id).then().statusCode(503).body("reason", equalTo("error"))
                .body("detail", equalTo("the record's lock could not be read or written"));
        mock.reset();
        admin().get("/v1/queues/" + id).then().statusCode(200);
    }
}
