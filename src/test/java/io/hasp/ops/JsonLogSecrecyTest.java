package io.hasp.ops;

import static io.hasp.http.Auth.ADMIN_TOKEN;
import static io.hasp.http.Auth.admin;
import static io.hasp.http.Auth.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * With JSON logging on, as the container image has it, no secret reaches a log line: not a token's secret, not the
 * admin token, not a credential's value, not a wrong bearer token. The log is read as written (a JSON file handler
 * beside the JSON console), with the HTTP access log and Hasp's debug lines on, so that the requests are there to be
 * searched: the test first finds a JSON line for each of them.
 */
@QuarkusTest
@TestProfile(JsonLogSecrecyTest.JsonLogs.class)
class JsonLogSecrecyTest {

    static final Path LOG = Path.of("target", "json-log-secrecy", "hasp.log");
    private static final String CREDENTIAL = "json-log-Value-4c7d91e2";
    private static final String WRONG_TOKEN = "hasp_0123456789abcdef_notTheSecret9f8e7d";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** JSON console (as in the image), a JSON log file to read back, the access log and Hasp's debug lines. */
    public static class JsonLogs implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.log.console.json.enabled", "true",
                    "quarkus.log.file.enabled", "true",
                    "quarkus.log.file.path", LOG.toString(),
                    "quarkus.log.file.json.enabled", "true",
                    "quarkus.http.access-log.enabled", "true",
                    "quarkus.log.category.\"io.hasp\".level", "DEBUG");
        }
    }

    @Test
    void noSecretReachesAJsonLogLine() throws IOException {
        long from = Files.exists(LOG) ? Files.size(LOG) : 0;

        String token = admin().body(Map.of("name", "json-log", "scopes", List.of("read", "write")))
                .post("/v1/tokens").then().statusCode(201).extract().path("token");
        String tokenId = token.split("_")[1];
        as(token).body(Map.of("value", CREDENTIAL, "description", "json log")).put("/v1/credentials/json-log-db")
                .then().statusCode(201);
        as(token).get("/v1/credentials").then().statusCode(200);
        // a malformed body whose parse error would quote the value
        as(token).body("{\"value\": " + CREDENTIAL + "}").put("/v1/credentials/json-log-bad").then().statusCode(400);
        as(WRONG_TOKEN).get("/v1/credentials").then().statusCode(401);
        admin().get("/v1/credentials/export").then().statusCode(200);
        admin().delete("/v1/credentials/json-log-db").then().statusCode(204);
        admin().delete("/v1/tokens/" + tokenId).then().statusCode(204);

        // not vacuous: the log holds a JSON line for every one of these requests (the access log's "%r" and status)
        List<String> expected = List.of("POST /v1/tokens HTTP/1.1\" 201",
                "PUT /v1/credentials/json-log-db HTTP/1.1\" 201",
                "PUT /v1/credentials/json-log-bad HTTP/1.1\" 400", "GET /v1/credentials HTTP/1.1\" 401",
                "GET /v1/credentials/export HTTP/1.1\" 200", "DELETE /v1/tokens/" + tokenId + " HTTP/1.1\" 204");
        List<String> lines = Awaitility.await("a log line for each request").atMost(Duration.ofSeconds(20))
                .until(() -> linesFrom(from), all -> expected.stream().allMatch(
                        e -> messages(all).stream().anyMatch(message -> message.contains(e))));
        assertEquals(List.of(), lines.stream().filter(line -> line.contains(token) || line.contains(ADMIN_TOKEN)
                || line.contains(CREDENTIAL) || line.contains(WRONG_TOKEN)).toList(), "lines with a secret");
        // nor a part long enough to matter: the token's secret part alone
        String tokenSecret = token.substring(token.lastIndexOf('_') + 1);
        assertTrue(lines.stream().noneMatch(line -> line.contains(tokenSecret)), "a token's secret part was logged");
    }

    /** The messages of {@code lines}, each of which must be a JSON log record. */
    private static List<String> messages(List<String> lines) {
        List<String> messages = new ArrayList<>();
        for (String line : lines) {
            JsonNode entry;
            try {
                entry = JSON.readTree(line);
            } catch (IOException e) {
                throw new AssertionError("a log line that is not JSON: " + line, e);
            }
            assertTrue(entry.isObject() && entry.hasNonNull("message") && entry.hasNonNull("level"),
                    "every line is a JSON log record: " + line);
            messages.add(entry.get("message").asText());
        }
        return messages;
    }

    /** The lines written to the log file from byte {@code from} on. */
    private static List<String> linesFrom(long from) throws IOException {
        List<String> lines = new ArrayList<>();
        if (!Files.exists(LOG)) {
            return lines;
        }
        try (RandomAccessFile file = new RandomAccessFile(LOG.toFile(), "r")) {
            file.seek(from);
            byte[] rest = new byte[(int) (file.length() - from)];
            file.readFully(rest);
            for (String line : new String(rest, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    lines.add(line);
                }
            }
        }
        return lines;
    }
}
