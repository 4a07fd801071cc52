package io.hasp.queue;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class QueueResourceTest {

    private static String newQueue() {
        String id = "q-" + UUID.randomUUID();
        Response created = admin().body(Map.of("id", id, "name", "Test queue")).post("/v1/queues");
        created.then().statusCode(201).header("Location", containsString("/v1/queues/" + id))
                .body("id", equalTo(id)).body("commands", hasSize(0));
        assertEquals(tag(created.jsonPath().getLong("version")), created.header("ETag"));
        return id;
    }

    /** The entity tag of {@code version}, as served. */
    private static String tag(long version) {
        return "\"" + version + "\"";
    }

    private static long version(String id) {
        return admin().get("/v1/queues/" + id).then().statusCode(200).extract().jsonPath().getLong("version");
    }

    @Test
    void createGetListAndDeleteAQueue() {
        String id = newQueue();
        long created = version(id);

        admin().get("/v1/queues/" + id).then().statusCode(200).header("ETag", tag(created))
                .body("name", equalTo("Test queue")).body("createdAt", startsWith("20"));
        admin().get("/v1/queues").then().statusCode(200)
                .body("queues.find { it.id == '" + id + "' }.commands", equalTo(0));
        admin().delete("/v1/queues/" + id).then().statusCode(204);
        admin().get("/v1/queues/" + id).then().statusCode(404)
                .contentType("application/problem+json").body("reason", equalTo("not-found"));
        admin().delete("/v1/queues/" + id).then().statusCode(404);
    }

    @Test
    void aSecondCreateWithTheSameIdIs409() {
        String id = newQueue();

        admin().body(Map.of("id", id, "name", "again")).post("/v1/queues").then().statusCode(409)
                .contentType("application/problem+json").body("status", equalTo(409))
                .body("type", notNullValue()).body("title", notNullValue()).body("detail", notNullValue());
    }

    @Test
    void commandsAreAddedPatchedMovedAndRemoved() {
        String id = newQueue();
        long created = version(id);
        admin().body(Map.of("id", "a", "command", "echo a", "payload", Map.of("n", 1)))
                .post("/v1/queues/" + id + "/commands").then().statusCode(201)
                .body("status", equalTo("pending")).body("payload.n", equalTo(1)).body("claimedBy", nullValue());
        admin().body(Map.of("id", "b", "command", "echo b")).post("/v1/queues/" + id + "/commands")
                .then().statusCode(201);

        admin().body(Map.of("position", 0)).post("/v1/queues/" + id + "/commands/b/move").then().statusCode(200)
                .body("commands.id", equalTo(List.of("b", "a"))).header("ETag", tag(created + 3));
        admin().body(Map.of("command", "echo A", "result", Map.of("ok", true)))
                .patch("/v1/queues/" + id + "/commands/a").then().statusCode(200)
                .body("command", equalTo("echo A")).body("result.ok", equalTo(true));
        admin().delete("/v1/queues/" + id + "/commands/b").then().statusCode(204);
        admin().get("/v1/queues/" + id).then().body("commands", hasSize(1)).header("ETag", tag(created + 5));
        admin().delete("/v1/queues/" + id + "/commands/b").then().statusCode(404);
        admin().body(Map.of("position", 5)).post("/v1/queues/" + id + "/commands/a/move").then().statusCode(400);
    }

    @Test
    void claimRunsTheFirstPendingCommandThenAnswers204() {
        String id = newQueue();
        admin().body(Map.of("id", "c1", "command", "run")).post("/v1/queues/" + id + "/commands")
                .then().statusCode(201);

        admin().body(Map.of("runnerId", "r1", "leaseMs", 60000)).post("/v1/queues/" + id + "/claim").then()
                .statusCode(200).body("id", equalTo("c1")).body("status", equalTo("running"))
                .body("claimedBy", equalTo("r1")).body("claimExpiresAt", notNullValue());
        admin().body(Map.of("runnerId", "r2")).post("/v1/queues/" + id + "/claim").then().statusCode(204);
        admin().body(Map.of("status", "completed", "runnerId", "r2")).patch("/v1/queues/" + id + "/commands/c1")
                .then().statusCode(409);
        admin().body(Map.of("status", "completed", "runnerId", "r1")).patch("/v1/queues/" + id + "/commands/c1")
                .then().statusCode(200).body("status", equalTo("completed")).body("claimExpiresAt", nullValue());
    }

    @Test
    void requeueingARunningCommandForgetsItsClaimAndHandsItToTheNextRunner() {
        String id = newQueue();
        admin().body(Map.of("id", "c1", "command", "run")).post("/v1/queues/" + id + "/commands")
                .then().statusCode(201);
        admin().body(Map.of("runnerId", "r1", "leaseMs", 60000)).post("/v1/queues/" + id + "/claim").then()
                .statusCode(200).body("status", equalTo("running"));

        String etag = admin().get("/v1/queues/" + id).then().statusCode(200).extract().header("ETag");
        admin().header("If-Match", etag).body(Map.of("status", "pending"))
                .patch("/v1/queues/" + id + "/commands/c1").then().statusCode(200)
                .body("status", equalTo("pending")).body("claimedBy", nullValue())
                .body("claimExpiresAt", nullValue());

        admin().body(Map.of("status", "completed", "runnerId", "r1")).patch("/v1/queues/" + id + "/commands/c1")
                .then().statusCode(409);
        admin().body(Map.of("runnerId", "r2")).post("/v1/queues/" + id + "/claim").then().statusCode(200)
                .body("id", equalTo("c1")).body("claimedBy", equalTo("r2"));
        admin().header("If-Match", etag).body(Map.of("status", "pending"))
                .patch("/v1/queues/" + id + "/commands/c1").then().statusCode(412);
    }

    @Test
    void staleIfMatchIs412AndChangesNothing() {
        String id = newQueue();
        long created = version(id);

        admin().header("If-Match", "\"7\"").body(Map.of("command", "x")).post("/v1/queues/" + id + "/commands")
                .then().statusCode(412).contentType("application/problem+json")
                .body("reason", equalTo("version-mismatch")).body("currentVersion", equalTo(created));
        admin().header("If-Match", tag(created)).body(Map.of("command", "x")).post("/v1/queues/" + id + "/commands")
                .then().statusCode(201);
        admin().header("If-Match", tag(created)).delete("/v1/queues/" + id).then().statusCode(412);
        admin().get("/v1/queues/" + id).then().statusCode(200).header("ETag", tag(created + 1));
    }

    @Test
    void unsafeNamesAre400InvalidName() {
        admin().body(Map.of("id", "a..b", "name", "x")).post("/v1/queues").then().statusCode(400)
                .body("reason", equalTo("invalid-name"));
        admin().get("/v1/queues/a..b").then().statusCode(400).body("reason", equalTo("invalid-name"));
        admin().get("/v1/queues/" + "x".repeat(129)).then().statusCode(400).body("reason", equalTo("invalid-name"));
        admin().get("/v1/queues/.hidden").then().statusCode(400).body("reason", equalTo("invalid-name"));
        admin().urlEncodingEnabled(false).get("/v1/queues/a%2Fb").then().statusCode(400)
                .body("reason", equalTo("invalid-name"));
        admin().urlEncodingEnabled(false).get("/v1/queues/a%00b").then().statusCode(400)
                .body("reason", equalTo("invalid-name"));
    }

    @Test
    void malformedOrMistypedBodiesAre400WithoutInternals() {
        admin().body("{\"name\": ").post("/v1/queues").then().statusCode(400)
                .contentType("application/problem+json").body("reason", equalTo("invalid-body"))
                .body("detail", not(containsString("at io."))).body("detail", not(containsString("/work")));
        admin().body("{\"name\": {\"x\": 1}}").post("/v1/queues").then().statusCode(400)
                .body("detail", containsString("name"));
        admin().body("{}").post("/v1/queues").then().statusCode(400).body("detail", containsString("name"));
        admin().body("").post("/v1/queues").then().statusCode(400);
        String id = newQueue();
        admin().body(Map.of("runnerId", "r", "leaseMs", -5)).post("/v1/queues/" + id + "/claim").then()
                .statusCode(400).body("detail", containsString("leaseMs"));
        admin().body(Map.of("position", "first")).post("/v1/queues/" + id + "/commands/x/move").then()
                .statusCode(400).body("detail", containsString("position"));
        admin().body(Map.of("status", "exploded")).patch("/v1/queues/" + id + "/commands/x").then()
                .statusCode(400);
    }

    @Test
    void missingUnknownAndUnderScopedTokensAre401And403() {
        given().get("/v1/queues").then().statusCode(401).header("WWW-Authenticate", "Bearer")
                .contentType("application/problem+json").body("reason", equalTo("unauthorized"));
        as("hasp_0000000000000000_nope").get("/v1/queues").then().statusCode(401);
        as("not-a-token").get("/v1/queues").then().statusCode(401);
        String reader = token("read");
        as(reader).get("/v1/queues").then().statusCode(200);
        as(reader).body(Map.of("name", "x")).post("/v1/queues").then().statusCode(403)
                .body("reason", equalTo("forbidden"));
        String writer = token("write");
        as(writer).body(Map.of("name", "by writer")).post("/v1/queues").then().statusCode(201);
        as(writer).get("/v1/tokens").then().statusCode(403);
    }

    @Test
    void unknownPathsAre404Problems() {
        admin().get("/v1/nothing-here").then().statusCode(404).contentType("application/problem+json");
        given().get("/nothing/at/all").then().statusCode(404);
    }

    @Test
    void probesAndOpenApiNeedNoToken() {
        given().get("/q/health/live").then().statusCode(200);
        given().accept(ContentType.JSON).get("/q/openapi").then().statusCode(200)
                .body("paths.'/v1/queues/{id}/claim'.post", notNullValue());
    }
}
