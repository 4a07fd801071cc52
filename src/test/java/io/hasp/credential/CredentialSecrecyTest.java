package io.hasp.credential;

import static io.hasp.http.Auth.admin;
import static org.hamcrest.Matchers.anyOf;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A credential value never appears in a log line, at any level, whatever the request: stored, imported, exported,
 * refused as malformed, or refused in an import that is all-or-nothing. Every record the application logs during
 * the test is captured, with its parameters and the messages of its causes.
 */
@QuarkusTest
class CredentialSecrecyTest {

    private static final String SECRET = "s3cr3t-Value-7f1e9a";

    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            StringBuilder text = new StringBuilder(String.valueOf(record.getMessage()));
            if (record.getParameters() != null) {
                for (Object p : record.getParameters()) {
                    text.append(' ').append(p);
                }
            }
            for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
                text.append(' ').append(t);
            }
            synchronized (logged) {
                logged.add(text.toString());
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureEverything() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
        Logger.getLogger("io.hasp").setLevel(Level.ALL);
    }

    @AfterEach
    void stopCapturing() {
        Logger.getLogger("").removeHandler(capture);
        Logger.getLogger("io.hasp").setLevel(Level.INFO);
    }

    @Test
    void noValueReachesTheLogWhateverTheRequest() {
        admin().body(Map.of("value", SECRET, "description", "db")).put("/v1/credentials/secrecy-db")
                .then().statusCode(anyOf(is(200), is(201)))
                .body(not(containsString(SECRET)));
        admin().get("/v1/credentials").then().statusCode(200).body(not(containsString(SECRET)));
        admin().body(Map.of("mode", "merge", "credentials", List.of(Map.of("name", "secrecy-a", "value", SECRET))))
                .post("/v1/credentials/import").then().statusCode(200).body(not(containsString(SECRET)));
        admin().body(Map.of("mode", "merge", "credentials", List.of(Map.of("name", "secrecy-b", "value", SECRET),
                Map.of("name", "bad/name", "value", SECRET)))).post("/v1/credentials/import").then().statusCode(400)
                .body(not(containsString(SECRET)));
        // malformed bodies whose parse errors would quote the offending token
        admin().body("{\"value\": " + SECRET + "}").put("/v1/credentials/secrecy-c").then().statusCode(400)
                .body(not(containsString(SECRET)));
        admin().body("{\"value\": [\"" + SECRET + "\"]}").put("/v1/credentials/secrecy-c").then().statusCode(400)
                .body(not(containsString(SECRET)));
        admin().body("{\"mode\": \"merge\", \"credentials\": [{\"name\": \"x\", \"value\": " + SECRET + "}]}")
                .post("/v1/credentials/import").then().statusCode(400).body(not(containsString(SECRET)));
        admin().get("/v1/credentials/export").then().statusCode(200).body(containsString(SECRET));
        admin().delete("/v1/credentials/secrecy-db").then().statusCode(204);
        admin().delete("/v1/credentials/secrecy-a").then().statusCode(204);

        // the capture sees what the application logs: a marker through the same logging API must be caught
        org.jboss.logging.Logger.getLogger("io.hasp.credential").debugf("capture check %s", "marker-5d2c");
        List<String> leaks;
        synchronized (logged) {
            assertTrue(logged.stream().anyMatch(line -> line.contains("marker-5d2c")), "the capture works");
            leaks = logged.stream().filter(line -> line.contains(SECRET)).toList();
        }
        assertTrue(leaks.isEmpty(), "a credential value reached the log: " + leaks);
    }
}
