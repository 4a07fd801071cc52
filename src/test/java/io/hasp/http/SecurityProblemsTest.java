package io.hasp.http;

import static io.hasp.http.Auth.admin;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/**
 * What Quarkus Security and Bean Validation answer, as API.md says: 401 for a missing or unknown token and 403 for a
 * missing scope, 400 listing each invalid field, every one a problem document; the OpenAPI document declares the
 * bearer scheme for every operation.
 */
@QuarkusTest
class SecurityProblemsTest {

    @Test
    void noTokenIs401WithABearerChallenge() {
        given().get("/v1/queues").then().statusCode(401).contentType(ProblemMapper.PROBLEM_JSON)
                .header("WWW-Authenticate", "Bearer")
                .body("status", equalTo(401)).body("reason", equalTo("unauthorized"))
                .body("type", equalTo("https://hasp.io/problems/unauthorized")).body("title", equalTo("Unauthorized"))
                .body("detail", containsString("bearer token"));
    }

    @Test
    void anUnknownTokenIs401AndNamesNoSecret() {
        String unknown = "hasp_0000000000000000_nottherealsecret";
        given().header("Authorization", "Bearer " + unknown).get("/v1/queues").then().statusCode(401)
                .contentType(ProblemMapper.PROBLEM_JSON).header("WWW-Authenticate", "Bearer")
                .body("reason", equalTo("unauthorized")).body(org.hamcrest.Matchers.not(containsString(unknown)));
    }

    @Test
    void aTokenWithoutTheScopeIs403NamingTheScope() {
        String read = Auth.token("read");
        Auth.as(read).body(Map.of("name", "Q")).post("/v1/queues").then().statusCode(403)
                .contentType(ProblemMapper.PROBLEM_JSON).header("WWW-Authenticate", nullValue())
                .body("status", equalTo(403)).body("reason", equalTo("forbidden"))
                .body("detail", containsString("write"));
        Auth.as(read).get("/v1/queues").then().statusCode(200);
    }

    @Test
    void aBodyBreakingSeveralConstraintsIs400ListingEachField() {
        admin().body(Map.of("id", "../etc", "name", " ")).post("/v1/queues").then().statusCode(400)
                .contentType(ProblemMapper.PROBLEM_JSON).body("status", equalTo(400))
                .body("reason", equalTo("invalid-body"))
                .body("violations", hasSize(2))
                .body("violations.field", hasItems("id", "name"))
                .body("detail", containsString("id ")).body("detail", containsString("name "));
    }

    @Test
    void anInvalidNameAloneIsInvalidName() {
        admin().get("/v1/queues/{id}", "bad..name").then().statusCode(400).contentType(ProblemMapper.PROBLEM_JSON)
                .body("reason", equalTo("invalid-name"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theOpenApiDocumentDeclaresTheBearerScheme() {
        Map<String, Object> doc = given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .contentType(ContentType.JSON).extract().as(Map.class);
        Map<String, Object> schemes = (Map<String, Object>) ((Map<String, Object>) doc.get("components"))
                .get("securitySchemes");
        Map<String, Object> bearer = (Map<String, Object>) schemes.get(HaspApi.BEARER);
        assertEquals("http", bearer.get("type"), schemes.toString());
        assertEquals("bearer", bearer.get("scheme"), schemes.toString());
        assertEquals(List.of(Map.of(HaspApi.BEARER, List.of())), doc.get("security"), "every operation needs it");
    }
}
