package io.hasp.group;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class GroupResourceTest {

    @Test
    void sessionsAreInsertedUpdatedAndRemovedOneByOne() {
        String id = "g-" + UUID.randomUUID();
        long created = admin().body(Map.of("id", id, "name", "G", "sessions", List.of(Map.of("sessionId", "a",
                "status", "new")))).post("/v1/groups").then().statusCode(201).body("sessions[0].updatedAt",
                notNullValue()).extract().jsonPath().getLong("version");
        admin().body(Map.of("status", "running", "host", "h1")).put("/v1/groups/" + id + "/sessions/b")
                .then().statusCode(200).body("sessions", hasSize(2)).body("sessions[1].host", equalTo("h1"));
        admin().body(Map.of("status", "done")).put("/v1/groups/" + id + "/sessions/b").then().statusCode(200)
                .body("sessions[1].status", equalTo("done")).body("sessions[1].host", equalTo("h1"))
                .body("sessions[0].status", equalTo("new"));
        admin().delete("/v1/groups/" + id + "/sessions/a").then().statusCode(200).body("sessions", hasSize(1));
        admin().delete("/v1/groups/" + id + "/sessions/a").then().statusCode(404);
        admin().body(Map.of("host", "h")).put("/v1/groups/" + id + "/sessions/c").then().statusCode(400);
        admin().body(Map.of("status", "x")).put("/v1/groups/" + id + "/sessions/a%2Fb").then().statusCode(400);
        admin().get("/v1/groups").then().statusCode(200).body("groups.id", hasItem(id));
        admin().get("/v1/groups/" + id).then().statusCode(200).header("ETag", "\"" + (created + 3) + "\"");
        admin().header("If-Match", "\"" + (created + 2) + "\"").delete("/v1/groups/" + id).then().statusCode(412);
        admin().delete("/v1/groups/" + id).then().statusCode(204);
        admin().body(Map.of("status", "x")).put("/v1/groups/" + id + "/sessions/a").then().statusCode(404);
    }

    @Test
    void saveCreatesThenReplacesAndConflictsAreReported() {
        String id = "g-" + UUID.randomUUID();
        long created = admin().body(Map.of("name", "G")).put("/v1/groups/" + id).then().statusCode(201).extract()
                .jsonPath().getLong("version");
        admin().body(Map.of("name", "G2")).put("/v1/groups/" + id).then().statusCode(200)
                .body("name", equalTo("G2")).body("version", equalTo(created + 1));
        admin().body(Map.of("id", id, "name", "again")).post("/v1/groups").then().statusCode(409);
        admin().body(Map.of("name", "dup", "sessions", List.of(Map.of("sessionId", "a", "status", "x"),
                Map.of("sessionId", "a", "status", "y")))).put("/v1/groups/" + id).then().statusCode(400);
        as(token("read")).body(Map.of("name", "G")).put("/v1/groups/" + id).then().statusCode(403);
    }
}
