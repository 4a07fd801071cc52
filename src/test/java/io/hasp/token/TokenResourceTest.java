package io.hasp.token;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
class TokenResourceTest {

    @Inject
    HaspConfig config;

    @Test
    void aCreatedTokenIsShownOnceWorksIsListedWithoutSecretAndStopsWorkingWhenRevoked() throws Exception {
        var created = admin().body(Map.of("name", "ci", "scopes", List.of("read", "write")))
                .post("/v1/tokens").then().statusCode(201).body("token", startsWith("hasp_"))
                .body("scopes", equalTo(List.of("read", "write"))).extract();
        String id = created.path("id");
        String token = created.path("token");

        as(token).get("/v1/queues").then().statusCode(200);
        admin().get("/v1/tokens").then().statusCode(200).body("tokens.id", hasItem(id))
                .body("tokens.find { it.id == '" + id + "' }.token", equalTo(null))
                .body("tokens.find { it.id == '" + id + "' }.hash", equalTo(null));
        String stored = Files.readString(config.dataDir().resolve("tokens.json"));
        assertFalse(stored.contains(token.substring(token.lastIndexOf('_') + 1)), "the secret is never stored");

        admin().delete("/v1/tokens/" + id).then().statusCode(204);
        as(token).get("/v1/queues").then().statusCode(401);
        admin().delete("/v1/tokens/" + id).then().statusCode(404);
    }

    @Test
    void tokensNeedAdminAndValidBodies() {
        given().get("/v1/tokens").then().statusCode(401);
        admin().body(Map.of("name", "x", "scopes", List.of("root"))).post("/v1/tokens").then().statusCode(400)
                .body("detail", notNullValue());
        admin().body(Map.of("name", "x", "scopes", List.of())).post("/v1/tokens").then().statusCode(400);
        admin().body(Map.of("name", "x", "scopes", List.of("read"), "expiresAt", "2001-01-01T00:00:00Z"))
                .post("/v1/tokens").then().statusCode(400).body("detail", not(startsWith("java")));
    }

    @Test
    void anExpiredTokenIs401() throws Exception {
        String token = admin().body(Map.of("name", "short", "scopes", List.of("read"),
                "expiresAt", Instant.now().plusMillis(4000).toString()))
                .post("/v1/tokens").then().statusCode(201).extract().path("token");
        as(token).get("/v1/queues").then().statusCode(200);

        await().atMost(Duration.ofSeconds(10))
                .until(() -> as(token).get("/v1/queues").statusCode() == 401);
    }

    @Test
    void theAdminTokenFileIsNotUsedWhenTheTokenIsConfigured() {
        assertFalse(Files.exists(Path.of(config.dataDir().toString(), "admin.token")));
    }
}
