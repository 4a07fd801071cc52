package io.hasp.http;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** {@code /q/openapi} describes every endpoint of the HTTP contract (API.md), each with an example response. */
@QuarkusTest
class OpenApiContractTest {

    /** Every method and path of API.md. */
    private static final List<String> CONTRACT = List.of(
            "post /v1/locks/{name}", "get /v1/locks/{name}", "post /v1/locks", "get /v1/locks",
            "post /v1/locks/{name}/{lockId}/renew", "delete /v1/locks/{name}/{lockId}", "delete /v1/locks/{name}",
            "post /v1/queues", "get /v1/queues", "get /v1/queues/{id}", "delete /v1/queues/{id}",
            "post /v1/queues/{id}/commands", "patch /v1/queues/{id}/commands/{commandId}",
            "delete /v1/queues/{id}/commands/{commandId}", "post /v1/queues/{id}/commands/{commandId}/move",
            "post /v1/queues/{id}/claim",
            "post /v1/bookmarks", "get /v1/bookmarks", "get /v1/bookmarks/{id}", "put /v1/bookmarks/{id}",
            "patch /v1/bookmarks/{id}", "delete /v1/bookmarks/{id}",
            "post /v1/groups", "get /v1/groups", "get /v1/groups/{id}", "put /v1/groups/{id}",
            "put /v1/groups/{id}/sessions/{sessionId}", "delete /v1/groups/{id}/sessions/{sessionId}",
            "delete /v1/groups/{id}",
            "post /v1/tokens", "get /v1/tokens", "delete /v1/tokens/{id}",
            "post /v1/file-changes/sessions/{sessionId}", "get /v1/file-changes/sessions/{sessionId}",
            "get /v1/file-changes", "post /v1/file-changes/rebuild",
            "put /v1/credentials/{name}", "get /v1/credentials", "delete /v1/credentials/{name}",
            "post /v1/credentials/import", "get /v1/credentials/export");

    @Test
    @SuppressWarnings("unchecked")
    void everyEndpointOfTheContractIsDescribed() {
        Map<String, Object> doc = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().as(Map.class);
        Map<String, Map<String, Object>> paths = (Map<String, Map<String, Object>>) doc.get("paths");
        List<String> missing = new ArrayList<>();
        for (String entry : CONTRACT) {
            String[] parts = entry.split(" ", 2);
            Map<String, Object> path = paths.get(parts[1]);
            if (path == null || !path.containsKey(parts[0])) {
                missing.add(entry);
            }
        }
        assertTrue(missing.isEmpty(), "missing from /q/openapi: " + missing + "; described: " + paths.keySet());
    }

    /**
     * Whether a response object ({@code responses.<status>}) shows an example body: one of its media types carries an
     * {@code example} or a non-empty {@code examples}, or its schema does.
     */
    @SuppressWarnings("unchecked")
    static boolean hasExample(Object response) {
        if (!(response instanceof Map<?, ?> r) || !(r.get("content") instanceof Map<?, ?> content)) {
            return false;
        }
        for (Object media : content.values()) {
            if (media instanceof Map<?, ?> m && (m.get("example") != null || notEmpty(m.get("examples"))
                    || (m.get("schema") instanceof Map<?, ?> schema
                        && (schema.get("example") != null || notEmpty(schema.get("examples")))))) {
                return true;
            }
        }
        return false;
    }

    private static boolean notEmpty(Object examples) {
        return (examples instanceof Map<?, ?> map && !map.isEmpty())
                || (examples instanceof List<?> list && !list.isEmpty());
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyOperationHasASummaryAndEveryBodyAnExample() {
        Map<String, Object> doc = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().as(Map.class);
        Map<String, Map<String, Map<String, Object>>> paths =
                (Map<String, Map<String, Map<String, Object>>>) doc.get("paths");
        List<String> lacking = new ArrayList<>();
        paths.forEach((path, ops) -> {
            if (!path.startsWith("/v1/")) {
                return;
            }
            ops.forEach((method, op) -> {
                Map<String, Object> responses = (Map<String, Object>) op.get("responses");
                boolean bodiless = responses != null && responses.containsKey("204");
                boolean example = responses != null && responses.values().stream()
                        .anyMatch(OpenApiContractTest::hasExample);
                if (op.get("summary") == null || (!bodiless && !example)) {
                    lacking.add(method + " " + path);
                }
            });
        });
        assertTrue(lacking.isEmpty(), "operations without a summary or an example: " + lacking);
    }

    /**
     * Every {@code /v1} operation names the bearer scheme with the scope it needs and documents 401 and 403, those a
     * resource inherits ({@link RecordResource}) as well as those it declares.
     */
    @Test
    @SuppressWarnings("unchecked")
    void everyOperationNeedsABearerTokenWithItsScope() {
        Map<String, Object> doc = given().queryParam("format", "json").when().get("/q/openapi")
                .then().statusCode(200).extract().as(Map.class);
        Map<String, Map<String, Map<String, Object>>> paths =
                (Map<String, Map<String, Map<String, Object>>>) doc.get("paths");
        List<String> lacking = new ArrayList<>();
        paths.forEach((path, ops) -> ops.forEach((method, op) -> {
            Map<String, Object> responses = (Map<String, Object>) op.get("responses");
            if (path.startsWith("/v1/") && (!(op.get("security") instanceof List<?> security)
                    || security.stream().noneMatch(r -> r instanceof Map<?, ?> m && m.containsKey(HaspApi.BEARER))
                    || !responses.containsKey("401") || !responses.containsKey("403"))) {
                lacking.add(method + " " + path);
            }
        }));
        assertTrue(lacking.isEmpty(), "operations without the bearer scheme, 401 or 403: " + lacking);
        assertEquals(List.of(Map.of(HaspApi.BEARER, List.of("read"))), paths.get("/v1/bookmarks/{id}").get("get")
                .get("security"));
        assertEquals(List.of(Map.of(HaspApi.BEARER, List.of("write"))), paths.get("/v1/groups/{id}").get("put")
                .get("security"));
        assertEquals(List.of(Map.of(HaspApi.BEARER, List.of("write"))), paths.get("/v1/queues").get("post")
                .get("security"));
    }
}
