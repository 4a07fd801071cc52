package io.hasp.http;

import static io.hasp.http.Auth.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * An entity tag names one version of one incarnation of a record: after a delete, the record created again under
 * the same id never carries a version the old one had, so an {@code If-Match} taken before the delete fails with
 * 412. {@code If-Match} compares strongly: a weak tag never matches.
 */
@QuarkusTest
class EntityTagTest {

    private static long version(String etag) {
        return Long.parseLong(etag.substring(1, etag.length() - 1));
    }

    @Test
    void anIfMatchFromBeforeADeleteNeverMatchesTheRecordCreatedAgain() {
        String id = "aba-" + UUID.randomUUID();
        String first = admin().body(Map.of("id", id, "name", "Q")).post("/v1/queues").then().statusCode(201)
                .extract().header("ETag");
        admin().body(Map.of("command", "x")).post("/v1/queues/{id}/commands", id).then().statusCode(201);
        String last = admin().get("/v1/queues/{id}", id).then().statusCode(200).extract().header("ETag");
        admin().delete("/v1/queues/{id}", id).then().statusCode(204);

        String again = admin().body(Map.of("id", id, "name", "Q")).post("/v1/queues").then().statusCode(201)
                .extract().header("ETag");

        assertNotEquals(first, again);
        assertTrue(version(again) > version(last), again + " after " + last);
        for (String old : new String[] {first, last}) {
            admin().header("If-Match", old).body(Map.of("command", "y")).post("/v1/queues/{id}/commands", id)
                    .then().statusCode(412).contentType(ProblemMapper.PROBLEM_JSON);
            admin().header("If-Match", old).delete("/v1/queues/{id}", id).then().statusCode(412);
        }
        admin().get("/v1/queues/{id}", id).then().statusCode(200).header("ETag", again).body("commands", hasSize(0));
    }

    @Test
    void aBookmarkSavedAgainAfterItsDeleteHasANewVersion() {
        String id = "aba-" + UUID.randomUUID();
        Map<String, String> body = Map.of("title", "T", "target", "https://example.org");
        String first = admin().body(body).put("/v1/bookmarks/{id}", id).then().statusCode(201).extract()
                .header("ETag");
        admin().delete("/v1/bookmarks/{id}", id).then().statusCode(204);
        String again = admin().body(body).put("/v1/bookmarks/{id}", id).then().statusCode(201).extract()
                .header("ETag");

        admin().header("If-Match", first).body(Map.of("title", "stale")).patch("/v1/bookmarks/{id}", id)
                .then().statusCode(412);
        admin().get("/v1/bookmarks/{id}", id).then().header("ETag", again).body("title", equalTo("T"));
    }

    @Test
    void aWeakTagNeverMatches() {
        String id = "weak-" + UUID.randomUUID();
        String etag = admin().body(Map.of("id", id, "name", "Q")).post("/v1/queues").then().statusCode(201)
                .extract().header("ETag");

        admin().header("If-Match", "W/" + etag).body(Map.of("command", "x")).post("/v1/queues/{id}/commands", id)
                .then().statusCode(412).contentType(ProblemMapper.PROBLEM_JSON);
        admin().header("If-Match", "W/" + etag).delete("/v1/queues/{id}", id).then().statusCode(412);
        admin().get("/v1/queues/{id}", id).then().statusCode(200).header("ETag", etag).body("commands", hasSize(0));
        admin().header("If-Match", etag).body(Map.of("command", "x")).post("/v1/queues/{id}/commands", id)
                .then().statusCode(201);
    }
}
