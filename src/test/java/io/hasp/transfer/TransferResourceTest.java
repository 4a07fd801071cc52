package io.hasp.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hasp.http.Auth;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/** Export and import on the file backend, over HTTP: a round trip, the admin scope, and all-or-nothing refusals. */
@QuarkusTest
class TransferResourceTest {

    private static final String NDJSON = "application/x-ndjson";

    private static String export() {
        Response r = Auth.admin().accept(NDJSON).get("/v1/admin/export");
        assertEquals(200, r.statusCode(), r.asString());
        assertTrue(r.contentType().startsWith(NDJSON), r.contentType());
        return r.asString();
    }

    private static Response importLines(String body, String mode) {
        return Auth.admin().contentType(NDJSON).body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/admin/import" + (mode == null ? "" : "?mode=" + mode));
    }

    private static String lineOf(String export, String kind, String id) {
        return export.lines().filter(l -> l.startsWith("{\"kind\":\"" + kind + "\",\"id\":\"" + id + "\""))
                .findFirst().orElseThrow(() -> new AssertionError(kind + " " + id + " not in the export"));
    }

    @Test
    void anExportedRecordComesBackAsItWasAfterADeleteAndTheVersionIsKept() {
        String q = "t-" + UUID.randomUUID().toString().substring(0, 8);
        Auth.admin().body(Map.of("id", q, "name", "Q")).post("/v1/queues").then().statusCode(201);
        Auth.admin().body(Map.of("id", "c1", "command", "run")).post("/v1/queues/" + q + "/commands")
                .then().statusCode(201);
        Auth.admin().body(Map.of("value", "v-" + q)).put("/v1/credentials/cred-" + q).then().statusCode(201);
        String line = lineOf(export(), "queue", q);
        String cred = lineOf(export(), "credential", "cred-" + q);
        assertTrue(cred.contains("\"value\":\"v-" + q + "\""), "credential values are in clear in an export");

        importLines(line, "merge").then().statusCode(409).contentType("application/problem+json");
        Auth.admin().delete("/v1/queues/" + q).then().statusCode(204);
        Auth.admin().delete("/v1/credentials/cred-" + q).then().statusCode(204);
        Response r = importLines(line + "\n" + cred + "\n", null);
        assertEquals(200, r.statusCode(), r.asString());
        assertEquals(2, (int) r.path("imported"));

        String after = export();
        assertEquals(line, lineOf(after, "queue", q));
        assertEquals(cred, lineOf(after, "credential", "cred-" + q));
        importLines(line, "replace").then().statusCode(200);
    }

    @Test
    void onlyAnAdminExportsOrImportsAndABadStreamChangesNothing() {
        String writer = Auth.token("read", "write");
        Auth.as(writer).accept(NDJSON).get("/v1/admin/export").then().statusCode(403);
        Auth.as(writer).contentType(NDJSON).body("".getBytes(StandardCharsets.UTF_8)).post("/v1/admin/import")
                .then().statusCode(403);

        String b = "t-" + UUID.randomUUID().toString().substring(0, 8);
        String good = "{\"kind\":\"bookmark\",\"id\":\"" + b + "\",\"record\":{\"id\":\"" + b + "\",\"title\":\"T\","
                + "\"target\":\"https://example.org\",\"tags\":[],\"version\":1788000000000001,"
                + "\"createdAt\":\"2026-01-31T10:00:00Z\",\"updatedAt\":\"2026-01-31T10:00:00Z\"}}";
        String before = export();
        for (String bad : List.of(good + "\n{", good + "\n{\"kind\":\"queue\",\"id\":\"x\",\"record\":{\"id\":\"x\"}}")) {
            Response r = importLines(bad, null);
            assertEquals(400, r.statusCode(), r.asString());
            assertTrue(r.contentType().startsWith("application/problem+json"));
            assertTrue(r.asString().contains("line 2"), r.asString());
        }
        Auth.admin().get("/v1/bookmarks/" + b).then().statusCode(404);
        assertEquals(before.lines().sorted().toList(), export().lines().sorted().toList());
    }
}
