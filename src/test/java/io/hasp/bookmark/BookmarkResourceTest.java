package io.hasp.bookmark;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class BookmarkResourceTest {

    /** The entity tag of {@code version}, as served. */
    private static String tag(long version) {
        return "\"" + version + "\"";
    }

    @Test
    void bookmarksAreCreatedSavedPatchedListedAndDeleted() {
        String id = "b-" + UUID.randomUUID();
        long v = admin().body(Map.of("id", id, "title", "Docs", "target", "https://example.com", "tags", List.of("a")))
                .post("/v1/bookmarks").then().statusCode(201).header("ETag", notNullValue()).extract().jsonPath()
                .getLong("version");
        admin().body(Map.of("id", id, "title", "Docs", "target", "https://example.com")).post("/v1/bookmarks")
                .then().statusCode(409);
        admin().body(Map.of("title", "Docs 2", "target", "https://example.org")).put("/v1/bookmarks/" + id)
                .then().statusCode(200).body("title", equalTo("Docs 2")).header("ETag", tag(v + 1));
        admin().header("If-Match", tag(v)).body(Map.of("title", "stale")).patch("/v1/bookmarks/" + id)
                .then().statusCode(412).body("reason", equalTo("version-mismatch"));
        admin().header("If-Match", tag(v + 1)).body(Map.of("tags", List.of("x", "y"))).patch("/v1/bookmarks/" + id)
                .then().statusCode(200).body("tags", equalTo(List.of("x", "y"))).body("title", equalTo("Docs 2"));
        admin().get("/v1/bookmarks").then().statusCode(200).body("bookmarks.id", hasItem(id));
        admin().get("/v1/bookmarks/" + id).then().statusCode(200).header("ETag", tag(v + 2))
                .body("version", equalTo(v + 2));
        admin().delete("/v1/bookmarks/" + id).then().statusCode(204);
        admin().get("/v1/bookmarks/" + id).then().statusCode(404);
        admin().body(Map.of("title", "x")).patch("/v1/bookmarks/" + id).then().statusCode(404);
    }

    @Test
    void putCreatesWith201AndRefusesBadInput() {
        String id = "b-" + UUID.randomUUID();
        admin().body(Map.of("title", "New", "target", "t")).put("/v1/bookmarks/" + id).then().statusCode(201);
        admin().body(Map.of("title", "New")).put("/v1/bookmarks/" + id).then().statusCode(400);
        admin().body(Map.of("title", "x", "target", "t")).put("/v1/bookmarks/bad..id").then().statusCode(400)
                .body("reason", equalTo("invalid-name"));
        admin().body(Map.of("title", "x", "target", "t", "tags", "not-a-list")).put("/v1/bookmarks/" + id)
                .then().statusCode(400);
    }

    @Test
    void readersReadAndOnlyWritersWrite() {
        given().get("/v1/bookmarks").then().statusCode(401);
        String reader = token("read");
        as(reader).get("/v1/bookmarks").then().statusCode(200);
        as(reader).body(Map.of("title", "x", "target", "t")).post("/v1/bookmarks").then().statusCode(403);
    }
}
