package io.hasp.ops;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.http.Auth;
import io.quarkus.test.junit.QuarkusTest;

/** The scheduled sweeper removes an expired lease nobody asks for, keeps a live one, and says so in its metrics. */
@QuarkusTest
class SweeperTest {

    @Inject
    HaspConfig config;

    @Inject
    Sweeper sweeper;

    private static double series(String metrics, String name) {
        return metrics.lines().filter(l -> l.startsWith(name + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(name.length() + 1).trim())).orElse(0.0);
    }

    @Test
    void expiredLeaseIsRemovedWhileALiveOneStays() {
        // read before the lease exists: a first scrape can take longer than the lease
        String removedSeries = "hasp_sweeper_removed_total{kind=\"expired-lease\"}";
        double before = series(given().get("/q/metrics").asString(), removedSeries);
        String expiring = "sweep-expiring-" + ProcessHandle.current().pid();
        String live = "sweep-live-" + ProcessHandle.current().pid();
        Auth.admin().body(Map.of("leaseMs", 300)).post("/v1/locks/{n}", expiring).then().statusCode(201);
        String liveId = Auth.admin().body(Map.of("leaseMs", 60000)).post("/v1/locks/{n}", live).then()
                .statusCode(201).extract().path("lockId");
        Path locks = config.dataDir().resolve("locks");

        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> !Files.exists(locks.resolve(expiring + ".lock")));

        assertTrue(Files.exists(locks.resolve(live + ".lock")), "the sweeper removed a live lease");
        Awaitility.await().atMost(Duration.ofSeconds(5))
                .until(() -> series(given().get("/q/metrics").asString(), removedSeries) > before);
        // one more run by hand: the live lease survives and is counted as a holder
        Sweeper.Outcome outcome = sweeper.sweep().await().atMost(Duration.ofSeconds(10));
        assertTrue(outcome.namedHolders() >= 1, outcome::toString);
        assertTrue(Files.exists(locks.resolve(live + ".lock")));
        Auth.admin().delete("/v1/locks/{n}/{id}", live, liveId).then().statusCode(204);
        assertFalse(Files.exists(locks.resolve(live + ".lock")));
    }
}
