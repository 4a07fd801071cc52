package io.hasp.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * Only Hasp's own validation errors are 400s with their text. A JDK exception (here a Base64 decoder meeting a
 * corrupt {@code tokens.json}) is a 500 with a generic detail: no JDK message, stack trace or server path reaches
 * the caller, who here is not even authenticated.
 */
@QuarkusTest
@TestProfile(IsolatedDataDirProfile.class)
class InternalErrorProblemTest {

    @Inject
    HaspConfig config;

    @Test
    void aCorruptTokenFileShowsAnUnauthenticatedCallerNoJdkMessage() throws IOException {
        Path tokens = config.dataDir().resolve("tokens.json");
        Files.createDirectories(config.dataDir());
        Files.writeString(tokens, """
                {"version": 1, "tokens": [{"id": "c0ffee", "name": "broken", "scopes": ["read"],
                 "createdAt": "2026-01-01T00:00:00Z", "salt": "!!not base64!!", "hash": "@@ neither @@"}]}""");
        try {
            given().header("Authorization", "Bearer hasp_c0ffee_guessed").get("/v1/queues").then()
                    .statusCode(500).contentType(ProblemMapper.PROBLEM_JSON)
                    .body("reason", equalTo("internal-error")).body("detail", equalTo("internal error"))
                    .body(not(containsString("ase64")), not(containsString("Illegal")),
                            not(containsString("Exception")), not(containsString("at io.")),
                            not(containsString(config.dataDir().toAbsolutePath().toString())));
        } finally {
            Files.deleteIfExists(tokens);
        }
    }

    @Test
    void haspsOwnValidationErrorsAre400WithTheirText() {
        Auth.admin().body("{\"name\": \"q\", \"id\": \"ok\", \"bogus\": 1}").post("/v1/queues");
        Auth.admin().body("{\"runnerId\": \"r\", \"leaseMs\": -5}").post("/v1/queues/ok/claim").then()
                .statusCode(400).contentType(ProblemMapper.PROBLEM_JSON)
                .body("detail", containsString("leaseMs must be between 1 and"));
    }
}
