package io.hasp.filechange;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasSize;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class FileChangeResourceTest {

    @Test
    void changesAreMergedPerSessionAndQueriedByPath() {
        String s1 = "s-" + UUID.randomUUID();
        String s2 = "s-" + UUID.randomUUID();
        String path = "src/" + UUID.randomUUID() + ".java";
        admin().body(Map.of("changes", List.of(Map.of("path", path, "kind", "created"))))
                .post("/v1/file-changes/sessions/" + s1).then().statusCode(200)
                .body("sessionId", equalTo(s1)).body("changes", hasSize(1));
        admin().body(Map.of("changes", List.of(Map.of("path", path, "kind", "modified", "at",
                "2030-01-01T00:00:00Z")))).post("/v1/file-changes/sessions/" + s2).then().statusCode(200);

        admin().queryParam("path", path).get("/v1/file-changes").then().statusCode(200)
                .body("path", equalTo(path)).body("sessions", hasSize(2))
                .body("sessions.find { it.sessionId == '" + s2 + "' }.kind", equalTo("modified"));
        admin().get("/v1/file-changes/sessions/" + s1).then().statusCode(200).body("changes[0].kind",
                equalTo("created"));
        admin().get("/v1/file-changes/sessions/never-seen").then().statusCode(404);
        admin().get("/v1/file-changes").then().statusCode(400);
        admin().body(Map.of("changes", List.of(Map.of("path", path, "kind", "renamed"))))
                .post("/v1/file-changes/sessions/" + s1).then().statusCode(400);
    }

    @Test
    void rebuildNeedsAdmin() {
        as(token("write")).post("/v1/file-changes/rebuild").then().statusCode(403);
        admin().post("/v1/file-changes/rebuild").then().statusCode(200)
                .body("sessions", greaterThanOrEqualTo(0)).body("paths", greaterThanOrEqualTo(0));
    }
}
