package io.hasp.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

/** A body over {@code hasp.http.max-body-bytes} gets 413 with a problem document, and nothing is written. */
@QuarkusTest
class BodyLimitProblemTest {

    @Inject
    HaspConfig config;

    private static String bigQueueBody() {
        return "{\"id\": \"too-big\", \"name\": \"" + "a".repeat(1_100_000) + "\"}";
    }

    @Test
    void declaredLengthOverTheLimitIsRefusedWithAProblem() {
        Auth.admin().contentType("application/json").body(bigQueueBody())
                .when().post("/v1/queues")
                .then().statusCode(413).contentType("application/problem+json")
                .body("status", equalTo(413)).body("reason", equalTo("too-large"));
        assertFalse(Files.exists(config.dataDir().resolve("queues").resolve("too-big.json")));
    }

    @Test
    void chunkedBodyThatOutgrowsTheLimitIsRefusedWithAProblem() {
        // an InputStream body is sent chunked, without Content-Length
        Auth.admin().contentType("application/json")
                .body(new ByteArrayInputStream(bigQueueBody().getBytes(StandardCharsets.UTF_8)))
                .when().post("/v1/queues")
                .then().statusCode(413).contentType("application/problem+json")
                .body("reason", equalTo("too-large"));
        assertFalse(Files.exists(config.dataDir().resolve("queues").resolve("too-big.json")));
    }

    @Test
    void chunkedBodyUnderTheLimitStillWorks() {
        Auth.admin().contentType("application/json")
                .body(new ByteArrayInputStream("{\"id\": \"chunked-ok\", \"name\": \"fine\"}"
                        .getBytes(StandardCharsets.UTF_8)))
                .when().post("/v1/queues")
                .then().statusCode(201).body("name", equalTo("fine"));
        Auth.admin().when().delete("/v1/queues/chunked-ok").then().statusCode(204);
    }
}
