package io.hasp.ops;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.is;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Readiness over HTTP when the data directory goes away or stops taking writes after start-up, and comes back.
 * Runs on a data directory of its own, so that breaking it disturbs no other test.
 */
@QuarkusTest
@TestProfile(RemovedDataDirReadinessTest.OwnDataDir.class)
class RemovedDataDirReadinessTest {

    static final Path DATA_DIR = Path.of("target", "readiness-test-data");

    /** A data directory only this test uses. */
    public static class OwnDataDir implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("hasp.data-dir", DATA_DIR.toString());
        }
    }

    @AfterEach
    void restoreTheDataDirectory() throws IOException {
        if (Files.isRegularFile(DATA_DIR)) {
            Files.delete(DATA_DIR);
        }
        Path probe = DATA_DIR.resolve(DataDirReadinessCheck.PROBE_NAME);
        if (Files.isDirectory(probe)) {
            try (Stream<Path> tree = Files.walk(probe)) {
                for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectories(DATA_DIR);
    }

    @Test
    void readyIsDownWhileTheDataDirectoryIsRemovedAndUpWhenItIsBack() throws IOException {
        get("/q/health/ready").then().statusCode(200);

        Files.delete(DATA_DIR);

        get("/q/health/ready").then()
                .statusCode(503)
                .body("checks.find { it.name == 'data-dir' }.data.reason", is("missing"));
        get("/q/health/live").then().statusCode(200);

        Files.createDirectories(DATA_DIR);
        get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void readyIsDownWhenTheDataDirectoryIsReplacedByAFile() throws IOException {
        Files.delete(DATA_DIR);
        Files.writeString(DATA_DIR, "a file where the data directory was");

        get("/q/health/ready").then()
                .statusCode(503)
                .body("checks.find { it.name == 'data-dir' }.data.reason", is("missing"));
    }

    @Test
    void readyIsDownWhenTheProbeCannotBeRenamedIntoPlace() throws IOException {
        Files.createDirectories(DATA_DIR.resolve(DataDirReadinessCheck.PROBE_NAME).resolve("occupied"));

        get("/q/health/ready").then()
                .statusCode(503)
                .body("checks.find { it.name == 'data-dir' }.data.reason", is("not-writable"));
        get("/q/health/live").then().statusCode(200);
    }
}
