package io.hasp.ops;

import static io.hasp.http.Auth.admin;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Ids and names that look like the files Hasp makes for itself (temp files, stale asides, fence and lock files) are
 * ordinary valid names: the sweepers never take records or live leases so named for their own leftovers, and the
 * listings show them. Every file the test creates is aged past every sweeper's age limit before the sweeps.
 */
@QuarkusTest
class InternalFileNamesTest {

    /** Valid names (API.md's grammar) that end or contain the suffixes of Hasp's own files. */
    static final List<String> NAMES = List.of("a.tmp.b", "a.lock.stale.b", "x.json.tmp.1", "a.fence", "b.lock",
            "c.json", "x.json.tmp.0123456789abcdef");

    @Inject
    HaspConfig config;

    @Inject
    Sweeper sweeper;

    @BeforeEach
    void removeLeftoversOfEarlierRuns() {
        for (String name : NAMES) {
            admin().delete("/v1/queues/{id}", name);
            admin().delete("/v1/bookmarks/{id}", name);
        }
    }

    @Test
    void queuesAndBookmarksNamedLikeInternalFilesSurviveEverySweepAndAreListed() throws IOException {
        for (String name : NAMES) {
            admin().body(Map.of("id", name, "name", "Q " + name)).post("/v1/queues").then().statusCode(201);
            admin().body(Map.of("id", name, "title", "B " + name, "target", "https://example.org/" + name))
                    .post("/v1/bookmarks").then().statusCode(201);
        }
        ageEveryFileOf(NAMES, Duration.ofHours(1));

        sweepTwice();

        for (String name : NAMES) {
            admin().get("/v1/queues/{id}", name).then().statusCode(200).body("id", equalTo(name));
            admin().get("/v1/bookmarks/{id}", name).then().statusCode(200).body("id", equalTo(name));
        }
        admin().get("/v1/queues").then().statusCode(200).body("queues.id", hasItems(NAMES.toArray()));
        admin().get("/v1/bookmarks").then().statusCode(200).body("bookmarks.id", hasItems(NAMES.toArray()));
    }

    @Test
    void aLiveLeaseNamedLikeAnInternalFileIsNeverGrantedToASecondClient() throws IOException {
        // leases outlive a test run: names of this JVM only, released at the end
        List<String> names = NAMES.stream().map(n -> ProcessHandle.current().pid() + "-" + n).toList();
        Map<String, String> lockIds = new LinkedHashMap<>();
        try {
            for (String name : names) {
                lockIds.put(name, admin().body(Map.of("leaseMs", 600_000)).post("/v1/locks/{name}", name).then()
                        .statusCode(201).extract().path("lockId"));
            }
            ageEveryFileOf(names, Duration.ofHours(1));

            sweepTwice();

            for (String name : names) {
                admin().get("/v1/locks/{name}", name).then().statusCode(200).body("locked", equalTo(true));
                admin().body(Map.of("timeoutMs", 0)).post("/v1/locks/{name}", name).then().statusCode(409);
            }
            admin().get("/v1/locks").then().statusCode(200).body("locks.name", hasItems(names.toArray()));
        } finally {
            lockIds.forEach((name, lockId) -> admin().delete("/v1/locks/{name}/{lockId}", name, lockId));
        }
    }

    private void sweepTwice() {
        sweeper.sweep().await().atMost(Duration.ofSeconds(30));
        sweeper.sweep().await().atMost(Duration.ofSeconds(30));
    }

    /** Sets the modification time of every file under the data directory whose name contains one of {@code names}. */
    private void ageEveryFileOf(List<String> names, Duration age) throws IOException {
        FileTime old = FileTime.from(Instant.now().minus(age));
        try (Stream<Path> files = Files.walk(config.dataDir())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String fileName = file.getFileName().toString();
                if (names.stream().anyMatch(fileName::contains)) {
                    try {
                        Files.setLastModifiedTime(file, old);
                    } catch (NoSuchFileException e) {
                        // a record's lock file whose lingering hold ended between the listing and here: gone, as is
                        // right for a released lock
                    }
                }
            }
        }
    }
}
