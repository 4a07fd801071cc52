package io.hasp.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.TestConfig;
import io.hasp.bookmark.BookmarkRepository;
import io.hasp.bookmark.BookmarkRequest;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.CredentialRequest;
import io.hasp.etcd.EtcdProfile;
import io.hasp.etcd.EtcdRequired;
import io.hasp.filechange.ChangeIndexRepository;
import io.hasp.filechange.ChangeKind;
import io.hasp.filechange.FileChange;
import io.hasp.filechange.FileChangeIndex;
import io.hasp.filechange.SessionChangeRepository;
import io.hasp.group.GroupRepository;
import io.hasp.group.GroupRequest;
import io.hasp.group.Session;
import io.hasp.http.Auth;
import io.hasp.lock.LockFileEngine;
import io.hasp.queue.NewCommandRequest;
import io.hasp.queue.QueueRepository;
import io.hasp.storage.Engines;
import io.hasp.storage.FileStores;
import io.hasp.storage.TestJson;
import io.hasp.token.CreateTokenRequest;
import io.hasp.token.CreatedToken;
import io.hasp.token.Scope;
import io.hasp.token.TokenRepository;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * The migration path of issue 10: records made on a file-backed Hasp (the services on a data directory, without
 * CDI), exported, imported over HTTP into an etcd-backed Hasp (this test's application, on a 3-member cluster), and
 * exported from there again: every record equal. Bad input and conflicts answer problem+json and change nothing.
 */
@QuarkusTest
@TestProfile(EtcdProfile.class)
@ExtendWith(EtcdRequired.class)
class FileToEtcdTransferTest {

    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final String NDJSON = "application/x-ndjson";

    @TempDir
    Path data;

    private final ObjectMapper json = TestJson.mapper();

    /** The file-backed instance's records, made through its services; answers its export and a token's secret. */
    private record Made(String export, String tokenSecret, String suffix) {
    }

    private Made makeOnFiles() throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 8);
        LockFileEngine engine = Engines.engine();
        try {
            Clock clock = Clock.systemUTC();
            FileStores stores = new FileStores(engine, data);
            QueueRepository queues = new QueueRepository(stores, json, clock, TestConfig.defaults());
            BookmarkRepository bookmarks = new BookmarkRepository(stores, clock);
            GroupRepository groups = new GroupRepository(stores, clock);
            SessionChangeRepository sessions = new SessionChangeRepository(stores, clock);
            FileChangeIndex index = new FileChangeIndex(sessions,
                    new ChangeIndexRepository(stores, clock), 10_000);
            TokenRepository tokens = new TokenRepository(stores, clock);
            CredentialRepository credentials = new CredentialRepository(stores, clock, TestConfig.defaults());

            queues.create("q-" + s, "Queue " + s).await().atMost(WAIT);
            // more commands than one etcd transaction takes: the import writes the queue in slices
            for (int i = 0; i < 300; i++) {
                queues.addCommand("q-" + s, new NewCommandRequest("c" + i, "run " + i, null), OptionalLong.empty())
                        .await().atMost(WAIT);
            }
            queues.claim("q-" + s, "runner-1", Duration.ofMinutes(10)).await().atMost(WAIT).orElseThrow();
            bookmarks.create(new BookmarkRequest("b-" + s, "Docs", "https://example.org/docs", List.of("x", "y")))
                    .await().atMost(WAIT);
            groups.create(new GroupRequest("g-" + s, "Group " + s, List.of(new Session("s1", "active",
                    Instant.parse("2026-01-02T03:04:05Z"), Map.of())))).await().atMost(WAIT);
            index.merge("sess-" + s, List.of(new FileChange("src/a.txt", ChangeKind.MODIFIED,
                    Instant.parse("2026-01-02T03:04:05Z")))).await().atMost(WAIT);
            CreatedToken token = tokens.create(new CreateTokenRequest("migrated-" + s, List.of(Scope.READ), null))
                    .await().atMost(WAIT);
            credentials.put("cred-" + s, new CredentialRequest("value-" + s, "a credential")).await().atMost(WAIT);

            ImportIntents intents = new ImportIntents(stores, clock);
            TransferRepositories repos = new TransferRepositories(queues, bookmarks, groups, sessions, index, tokens,
                    credentials);
            // the file-backed instance's transfer, wired as CDI would (its injected fields are package-private)
            RecordTransfer files = new RecordTransfer();
            files.repos = repos;
            files.json = json;
            files.intents = intents;
            files.recovery = new ImportRecovery(intents, repos, json, TestConfig.defaults());
            files.config = TestConfig.defaults();
            StringBuilder out = new StringBuilder();
            for (TransferLine line : files.export().collect().asList().await().atMost(WAIT)) {
                out.append(json.writeValueAsString(line)).append('\n');
            }
            return new Made(out.toString(), token.token(), s);
        } finally {
            engine.close();
        }
    }

    private Map<String, JsonNode> lines(String ndjson) throws Exception {
        Map<String, JsonNode> byKey = new LinkedHashMap<>();
        for (String line : ndjson.split("\n")) {
            if (!line.isBlank()) {
                JsonNode node = json.readTree(line);
                byKey.put(node.get("kind").asText() + "/" + node.get("id").asText(), node);
            }
        }
        return byKey;
    }

    private String exportFromEtcd() {
        Response r = Auth.admin().accept(NDJSON).get("/v1/admin/export");
        assertEquals(200, r.statusCode(), r.asString());
        return r.asString();
    }

    private Response importIntoEtcd(String body, String mode) {
        return Auth.admin().contentType(NDJSON).body(body.getBytes(StandardCharsets.UTF_8))
                .post("/v1/admin/import" + (mode == null ? "" : "?mode=" + mode));
    }

    @Test
    void recordsExportedFromFilesAndImportedIntoEtcdAreEqual() throws Exception {
        Made made = makeOnFiles();
        Map<String, JsonNode> fromFiles = lines(made.export());
        assertEquals(6, fromFiles.size(), "one record of each kind: " + fromFiles.keySet());

        Response imported = importIntoEtcd(made.export(), null);
        assertEquals(200, imported.statusCode(), imported.asString());
        assertEquals(6, (int) imported.path("imported"));

        Map<String, JsonNode> fromEtcd = lines(exportFromEtcd());
        for (Map.Entry<String, JsonNode> e : fromFiles.entrySet()) {
            assertEquals(e.getValue(), fromEtcd.get(e.getKey()), e.getKey() + " came back equal");
        }
        // the token made on files authenticates on etcd; the credential reads back in clear through the API
        Auth.as(made.tokenSecret()).get("/v1/queues/q-" + made.suffix()).then().statusCode(200);
        List<Map<String, String>> values = Auth.admin().get("/v1/credentials/export").then().statusCode(200)
                .extract().path("credentials");
        assertTrue(values.stream().anyMatch(c -> c.get("name").equals("cred-" + made.suffix())
                && c.get("value").equals("value-" + made.suffix())), "the credential opens on etcd");
        // the index was rebuilt from the imported session
        List<Map<String, String>> sessions = Auth.admin().queryParam("path", "src/a.txt").get("/v1/file-changes")
                .then().statusCode(200).extract().path("sessions");
        assertTrue(sessions.stream().anyMatch(e -> e.get("sessionId").equals("sess-" + made.suffix())),
                "the file-change index holds the imported session: " + sessions);
    }

    @Test
    void badLinesAndConflictsAnswerProblemsAndChangeNothing() throws Exception {
        String s = UUID.randomUUID().toString().substring(0, 8);
        String good = "{\"kind\":\"bookmark\",\"id\":\"ok-" + s + "\",\"record\":{\"id\":\"ok-" + s + "\",\"title\":"
                + "\"T\",\"target\":\"https://example.org\",\"tags\":[],\"version\":1788000000000001,"
                + "\"createdAt\":\"2026-01-31T10:00:00Z\",\"updatedAt\":\"2026-01-31T10:00:00Z\"}}";
        String before = exportFromEtcd();

        for (String bad : List.of(good + "\nnot json", good + "\n{\"kind\":\"spaceship\",\"id\":\"x\",\"record\":{}}",
                good + "\n" + good, good.replace("\"id\":\"ok-" + s + "\",\"record\"", "\"id\":\"other\",\"record\""))) {
            Response r = importIntoEtcd(bad, null);
            assertEquals(400, r.statusCode(), r.asString());
            assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
            assertNotNull(r.path("detail"));
        }
        importIntoEtcd(good, "sideways").then().statusCode(400).contentType("application/problem+json");
        assertEquals(lines(before), lines(exportFromEtcd()), "nothing changed by refused imports");

        importIntoEtcd(good, "merge").then().statusCode(200);
        String withOne = exportFromEtcd();
        String second = good.replace("ok-" + s, "new-" + s);
        Response conflict = importIntoEtcd(second + "\n" + good.replace("\"title\":\"T\"", "\"title\":\"U\""),
                null);
        assertEquals(409, conflict.statusCode(), conflict.asString());
        assertTrue(conflict.contentType().startsWith("application/problem+json"));
        assertTrue(conflict.asString().contains("ok-" + s), "the problem names the record: " + conflict.asString());
        assertEquals(lines(withOne), lines(exportFromEtcd()), "a refused merge created nothing");

        importIntoEtcd(second + "\n" + good.replace("\"title\":\"T\"", "\"title\":\"U\""), "replace")
                .then().statusCode(200);
        assertEquals("U", Auth.admin().get("/v1/bookmarks/ok-" + s).then().statusCode(200).extract()
                .path("title"));
        Auth.admin().get("/v1/bookmarks/new-" + s).then().statusCode(200);
    }
}
