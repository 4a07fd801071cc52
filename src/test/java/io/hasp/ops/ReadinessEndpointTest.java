package io.hasp.ops;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;

import java.nio.file.Path;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** The three probes over HTTP with a good data directory: all UP, and no server path in what they say. */
@QuarkusTest
class ReadinessEndpointTest {

    private static final String DATA_DIR_CHECK = "checks.find { it.name == 'data-dir' }";

    @Test
    void readyIsUpOnAGoodDataDirectoryWithoutNamingItsPath() {
        String dataDir = Path.of(ConfigProvider.getConfig().getValue("hasp.data-dir", String.class))
                .toAbsolutePath().normalize().toString();

        get("/q/health/ready").then()
                .statusCode(200)
                .body("status", is("UP"))
                .body(DATA_DIR_CHECK + ".status", is("UP"))
                .body(not(containsString(dataDir)));
    }

    @Test
    void startedIsUpOnceStartupRecoveryIsMarked() {
        get("/q/health/started").then()
                .statusCode(200)
                .body("checks.find { it.name == 'startup-recovery' }.status", is("UP"));
    }

    @Test
    void liveIsUp() {
        get("/q/health/live").then()
                .statusCode(200)
                .body("checks.find { it.name == 'alive' }.status", is("UP"));
    }
}
