package io.hasp.http;

import static io.restassured.RestAssured.given;

import java.util.List;
import java.util.Map;

import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;

/** Requests with the test profile's admin token, or with a freshly created token of given scopes. */
public final class Auth {

    /** The bootstrap admin token of the test profile ({@code %test.hasp.admin-token}). */
    public static final String ADMIN_TOKEN = "test-admin-token-0123456789abcdef";

    private Auth() {
    }

    public static RequestSpecification admin() {
        return as(ADMIN_TOKEN);
    }

    public static RequestSpecification as(String token) {
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    /** Creates a token with {@code scopes} through the API and answers its secret. */
    public static String token(String... scopes) {
        return admin().body(Map.of("name", "test", "scopes", List.of(scopes)))
                .post("/v1/tokens").then().statusCode(201).extract().path("token");
    }
}
