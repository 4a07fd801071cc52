package io.hasp.lease;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/** Small rest-assured helpers for the named-lock tests: requests carry the test profile's admin token. */
final class LockApi {

    private static final AtomicInteger SEQ = new AtomicInteger();

    private LockApi() {
    }

    /** A lock name no other test uses. */
    static String uniqueName(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet();
    }

    static RequestSpecification api() {
        String token = ConfigProvider.getConfig().getOptionalValue("hasp.admin-token", String.class).orElse("none");
        return given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    static Response acquire(String name, Map<String, Object> body) {
        return api().body(body).when().post("/v1/locks/{name}", name);
    }

    static Response release(String name, String lockId) {
        return api().when().delete("/v1/locks/{name}/{lockId}", name, lockId);
    }
}
