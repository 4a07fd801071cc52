package io.hasp.storage;

import static io.hasp.http.Auth.admin;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.http.ProblemMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;

/**
 * Queue length, file-change index size and the number of credentials are capped: a change that would pass a cap is
 * a 422 problem naming the setting, and nothing on disk changes.
 */
@QuarkusTest
@TestProfile(SmallLimitsProfile.class)
class RecordLimitsTest {

    @Inject
    HaspConfig config;

    @BeforeEach
    void clean() throws IOException {
        for (String file : List.of("credentials.json", "file-changes/index.json")) {
            Files.deleteIfExists(config.dataDir().resolve(file));
        }
    }

    private static void refused(ValidatableResponse response, String setting, int limit) {
        response.statusCode(422).contentType(ProblemMapper.PROBLEM_JSON)
                .body("reason", equalTo("limit-exceeded")).body("setting", equalTo(setting))
                .body("limit", equalTo(limit)).body("detail", containsString(setting));
    }

    private byte[] bytes(String file) throws IOException {
        return Files.readAllBytes(config.dataDir().resolve(file));
    }

    @Test
    void aFullQueueRefusesTheNextCommandAndStaysAsItIs() throws IOException {
        String id = "full-" + UUID.randomUUID();
        admin().body(Map.of("id", id, "name", "Q")).post("/v1/queues").then().statusCode(201);
        for (int i = 0; i < SmallLimitsProfile.QUEUE_COMMANDS; i++) {
            admin().body(Map.of("command", "c" + i)).post("/v1/queues/{id}/commands", id).then().statusCode(201);
        }
        // compared as served, not as bytes: a queue's journal may be folded into its file at any moment (after
        // hasp.records.compact-after-idle of quiet), which rewrites the file without changing the queue
        String before = admin().get("/v1/queues/{id}", id).then().statusCode(200).extract().asString();

        refused(admin().body(Map.of("command", "one too many")).post("/v1/queues/{id}/commands", id).then(),
                "hasp.limits.queue-commands", SmallLimitsProfile.QUEUE_COMMANDS);

        assertEquals(before, admin().get("/v1/queues/{id}", id).then().statusCode(200).extract().asString());
        String first = admin().get("/v1/queues/{id}", id).then().extract().path("commands[0].id");
        admin().delete("/v1/queues/{id}/commands/{c}", id, first).then().statusCode(204);
        admin().body(Map.of("command", "fits again")).post("/v1/queues/{id}/commands", id).then().statusCode(201);
    }

    @Test
    void theFileChangeIndexRefusesNewEntriesPastItsCapAndNothingIsWritten() throws IOException {
        String s1 = "s-" + UUID.randomUUID();
        String s2 = "s-" + UUID.randomUUID();
        admin().body(Map.of("changes", List.of(Map.of("path", "a", "kind", "created"),
                Map.of("path", "b", "kind", "created"), Map.of("path", "c", "kind", "created"))))
                .post("/v1/file-changes/sessions/{s}", s1).then().statusCode(200);
        byte[] index = bytes("file-changes/index.json");
        byte[] session = bytes("file-changes/sessions/" + s1 + ".json");

        refused(admin().body(Map.of("changes", List.of(Map.of("path", "d", "kind", "created"),
                Map.of("path", "e", "kind", "created")))).post("/v1/file-changes/sessions/{s}", s1).then(),
                "hasp.limits.file-change-index-entries", SmallLimitsProfile.INDEX_ENTRIES);
        refused(admin().body(Map.of("changes", List.of(Map.of("path", "a", "kind", "modified"),
                Map.of("path", "z", "kind", "created")))).post("/v1/file-changes/sessions/{s}", s2).then(),
                "hasp.limits.file-change-index-entries", SmallLimitsProfile.INDEX_ENTRIES);

        assertArrayEquals(index, bytes("file-changes/index.json"));
        assertArrayEquals(session, bytes("file-changes/sessions/" + s1 + ".json"));
        Path other = config.dataDir().resolve("file-changes/sessions/" + s2 + ".json");
        assertFalse(Files.exists(other), "no record for the refused session");
        // changes to paths the session already has add no entry: always accepted
        admin().body(Map.of("changes", List.of(Map.of("path", "a", "kind", "modified"))))
                .post("/v1/file-changes/sessions/{s}", s1).then().statusCode(200);
        admin().body(Map.of("changes", List.of(Map.of("path", "d", "kind", "created"))))
                .post("/v1/file-changes/sessions/{s}", s1).then().statusCode(200);
    }

    @Test
    void credentialsAreCappedForPutAndImport() throws IOException {
        admin().body(Map.of("value", "v1")).put("/v1/credentials/one").then().statusCode(201);
        admin().body(Map.of("value", "v2")).put("/v1/credentials/two").then().statusCode(201);
        byte[] before = bytes("credentials.json");

        refused(admin().body(Map.of("value", "v3")).put("/v1/credentials/three").then(),
                "hasp.limits.credentials", SmallLimitsProfile.CREDENTIALS);
        refused(admin().body(Map.of("mode", "merge", "credentials", List.of(Map.of("name", "three", "value", "v"))))
                .post("/v1/credentials/import").then(), "hasp.limits.credentials", SmallLimitsProfile.CREDENTIALS);
        refused(admin().body(Map.of("mode", "replace", "credentials", List.of(Map.of("name", "a", "value", "v"),
                Map.of("name", "b", "value", "v"), Map.of("name", "c", "value", "v"))))
                .post("/v1/credentials/import").then(), "hasp.limits.credentials", SmallLimitsProfile.CREDENTIALS);

        assertArrayEquals(before, bytes("credentials.json"));
        admin().body(Map.of("value", "replaced")).put("/v1/credentials/two").then().statusCode(200);
        admin().body(Map.of("mode", "replace", "credentials", List.of(Map.of("name", "x", "value", "v"))))
                .post("/v1/credentials/import").then().statusCode(200);
        admin().get("/v1/credentials").then().statusCode(200).body("credentials", hasSize(1));
    }
}
