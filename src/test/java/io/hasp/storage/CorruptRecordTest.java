package io.hasp.storage;

import static io.hasp.http.Auth.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.http.IsolatedDataDirProfile;
import io.hasp.http.ProblemMapper;
import io.hasp.ops.Sweeper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * A record file that does not parse is answered with a 500 problem naming it, is never overwritten by a mutation,
 * and leaves every other record, the listings, the sweeper and readiness working.
 */
@QuarkusTest
@TestProfile(IsolatedDataDirProfile.class)
class CorruptRecordTest {

    private static final String VALID_QUEUE = """
            {"id": "%s", "name": "Q", "version": 1, "createdAt": "2026-01-01T00:00:00Z",
             "updatedAt": "2026-01-01T00:00:00Z", "commands": []}""";

    /** Ways a record file can be corrupt: torn, the JSON literal null, empty, valid JSON followed by more. */
    private static final List<String> CORRUPT = List.of("{\"id\": \"torn\", \"name\": ", "null", "",
            VALID_QUEUE + "\n{\"second\": \"document\"}", VALID_QUEUE + " trailing");

    @Inject
    HaspConfig config;

    @Inject
    Sweeper sweeper;

    private Path plant(String kind, String id, String content) throws IOException {
        Path file = Files.createDirectories(config.dataDir().resolve(kind)).resolve(id + ".json");
        Files.writeString(file, content.contains("%s") ? content.formatted(id) : content, StandardCharsets.UTF_8);
        return file;
    }

    private static void corrupt(ValidatableResponse response, String id) {
        response.statusCode(500).contentType(ProblemMapper.PROBLEM_JSON)
                .body("reason", equalTo("corrupt-record"))
                .body("record", equalTo(id + ".json"))
                .body("detail", containsString(id + ".json"))
                .body(not(containsString("trailing")), not(containsString("document")));
    }

    @Test
    void aCorruptQueueIs500NamingItAndNoMutationTouchesIt() throws IOException {
        for (String content : CORRUPT) {
            String id = "corrupt-" + UUID.randomUUID();
            Path file = plant("queues", id, content);
            byte[] before = Files.readAllBytes(file);

            corrupt(admin().get("/v1/queues/{id}", id).then(), id);
            corrupt(admin().body(Map.of("command", "x")).post("/v1/queues/{id}/commands", id).then(), id);
            corrupt(admin().body(Map.of("runnerId", "r")).post("/v1/queues/{id}/claim", id).then(), id);
            corrupt(admin().body(Map.of("status", "completed")).patch("/v1/queues/{id}/commands/c", id).then(), id);
            corrupt(admin().delete("/v1/queues/{id}", id).then(), id);
            corrupt(admin().body(Map.of("id", id, "name", "again")).post("/v1/queues").then(), id);

            assertArrayEquals(before, Files.readAllBytes(file), "nothing written over " + content);
        }
    }

    @Test
    void aCorruptBookmarkIsNeverReplacedBySave() throws IOException {
        String id = "corrupt-" + UUID.randomUUID();
        Path file = plant("bookmarks", id, "null");

        corrupt(admin().body(Map.of("title", "T", "target", "https://example.org")).put("/v1/bookmarks/{id}", id)
                .then(), id);
        corrupt(admin().body(Map.of("title", "T")).patch("/v1/bookmarks/{id}", id).then(), id);
        assertArrayEquals("null".getBytes(StandardCharsets.UTF_8), Files.readAllBytes(file));
    }

    @Test
    void otherRecordsListingsSweepsAndReadinessAreUnaffected() throws IOException {
        for (String content : CORRUPT) {
            plant("queues", "corrupt-" + UUID.randomUUID(), content);
        }
        String healthy = "healthy-" + UUID.randomUUID();
        admin().body(Map.of("id", healthy, "name", "H")).post("/v1/queues").then().statusCode(201);
        admin().body(Map.of("command", "x")).post("/v1/queues/{id}/commands", healthy).then().statusCode(201);

        admin().get("/v1/queues").then().statusCode(200).body("queues.id", hasItem(healthy));
        admin().get("/v1/queues/{id}", healthy).then().statusCode(200);
        sweeper.sweep().await().atMost(Duration.ofSeconds(30));
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/started").then().statusCode(200);
    }
}
