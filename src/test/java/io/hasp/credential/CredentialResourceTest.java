package io.hasp.credential;

import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static io.hasp.http.Auth.token;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;

@QuarkusTest
class CredentialResourceTest {

    @Inject
    HaspConfig config;

    @Test
    void valuesGoInButOnlyTheAdminExportShowsThem() throws Exception {
        String name = "c-" + UUID.randomUUID();
        String value = "v-" + UUID.randomUUID();
        admin().body(Map.of("value", value, "description", "d")).put("/v1/credentials/" + name).then()
                .statusCode(201).body(not(containsString(value)));
        admin().body(Map.of("value", value)).put("/v1/credentials/" + name).then().statusCode(200)
                .body(not(containsString(value)));
        admin().get("/v1/credentials").then().statusCode(200).body("credentials.name", hasItem(name))
                .body(not(containsString(value)));
        admin().get("/v1/credentials/export").then().statusCode(200).body(containsString(value));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(config.dataDir().resolve("credentials.json"))));

        String writer = token("read", "write");
        as(writer).get("/v1/credentials/export").then().statusCode(403);
        as(writer).body(Map.of("credentials", List.of(), "mode", "merge")).post("/v1/credentials/import")
                .then().statusCode(403);
        admin().delete("/v1/credentials/" + name).then().statusCode(204);
        admin().delete("/v1/credentials/" + name).then().statusCode(404);
    }

    @Test
    void anImportIsAllOrNothing() {
        String a = "imp-" + UUID.randomUUID();
        admin().body(Map.of("mode", "merge", "credentials", List.of(Map.of("name", a, "value", "1"),
                Map.of("name", "bad/name", "value", "2")))).post("/v1/credentials/import").then().statusCode(400);
        admin().get("/v1/credentials").then().body("credentials.name", not(hasItem(a)));

        admin().body(Map.of("mode", "merge", "credentials", List.of(Map.of("name", a, "value", "1"))))
                .post("/v1/credentials/import").then().statusCode(200).body("imported", equalTo(1));
        admin().get("/v1/credentials").then().body("credentials.name", hasItem(a));
        admin().body(Map.of("mode", "sideways", "credentials", List.of())).post("/v1/credentials/import")
                .then().statusCode(400);
    }
}
