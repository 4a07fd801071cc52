package io.hasp.ops;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * {@code /q/health/live} reports {@link LivenessCheck}, and only it: UP, with no check of the disk among the liveness
 * checks (a volume problem is readiness', and a restart would only drop the held locks). That liveness stays UP while
 * the data directory is gone is shown by {@link RemovedDataDirReadinessTest}.
 */
@QuarkusTest
class LivenessCheckTest {

    @Test
    void livenessReportsTheAliveCheckAndNothingThatTouchesTheDisk() {
        get("/q/health/live").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.name", contains(LivenessCheck.NAME))
                .body("checks.status", contains("UP"));
    }
}
