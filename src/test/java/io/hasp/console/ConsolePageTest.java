package io.hasp.console;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.not;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/** {@code GET /console}: the page and its files are served by Hasp, without a token, under a strict CSP. */
@QuarkusTest
class ConsolePageTest {

    @Test
    void consoleIsServedWithItsOwnFilesOnly() {
        given().get("/console/").then().statusCode(200).body(containsString("/console/console.js"));
        given().redirects().follow(false).get("/console").then().statusCode(200).contentType(containsString("html"))
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .header("Content-Security-Policy", containsString("script-src 'self'"))
                .header("Referrer-Policy", "no-referrer")
                .body(containsString("/console/console.js"))
                .body(not(containsString("http://"))).body(not(containsString("https://")));
        given().get("/console/console.js").then().statusCode(200)
                .header("Content-Security-Policy", containsString("default-src 'none'"))
                .body(containsString("sessionStorage")).body(not(containsString("innerHTML")));
        given().get("/console/console.css").then().statusCode(200);
    }
}
