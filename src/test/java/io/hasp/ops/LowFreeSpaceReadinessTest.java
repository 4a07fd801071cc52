package io.hasp.ops;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.is;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/** A free-space threshold above what any disk has makes readiness DOWN, and liveness stays UP. */
@QuarkusTest
@TestProfile(LowFreeSpaceReadinessTest.ThresholdAboveFreeSpace.class)
class LowFreeSpaceReadinessTest {

    /** Asks for more free space than the data directory's file system can have. */
    public static class ThresholdAboveFreeSpace implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hasp.health.min-free-bytes", String.valueOf(Long.MAX_VALUE));
        }
    }

    @Test
    void readyIsDownWhenFreeSpaceIsBelowTheThreshold() {
        get("/q/health/ready").then()
                .statusCode(503)
                .body("status", is("DOWN"))
                .body("checks.find { it.name == 'data-dir' }.data.reason", is("low-free-space"));
    }

    @Test
    void liveStaysUpWhileTheDiskIsFull() {
        get("/q/health/live").then().statusCode(200).body("status", is("UP"));
    }
}
