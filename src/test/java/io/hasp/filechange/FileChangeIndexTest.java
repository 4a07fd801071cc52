package io.hasp.filechange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockFileEngine;
import io.hasp.storage.Engines;
import io.hasp.storage.FileStores;
import io.hasp.storage.TestJson;
import io.smallrye.mutiny.Uni;

class FileChangeIndexTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final LockFileEngine engine = Engines.engine();
    private FileChangeIndex index;

    @BeforeEach
    void setUp() {
        FileStores stores = new FileStores(engine, data);
        index = new FileChangeIndex(new SessionChangeRepository(stores, Clock.systemUTC()),
                new ChangeIndexRepository(stores, Clock.systemUTC()), Integer.MAX_VALUE);
    }

    @AfterEach
    void close() {
        engine.close();
    }

    private static FileChange change(String path, ChangeKind kind, String at) {
        return new FileChange(path, kind, at == null ? null : Instant.parse(at));
    }

    @Test
    void mergesAreIncrementalAndKeepOtherSessions() {
        index.merge("s1", List.of(change("a.txt", ChangeKind.CREATED, "2026-01-01T00:00:00Z")))
                .await().atMost(WAIT);
        index.merge("s2", List.of(change("a.txt", ChangeKind.MODIFIED, "2026-01-01T00:01:00Z"),
                change("b.txt", ChangeKind.CREATED, null))).await().atMost(WAIT);
        SessionChanges s1 = index.merge("s1", List.of(change("a.txt", ChangeKind.DELETED,
                "2026-01-01T00:02:00Z"))).await().atMost(WAIT);

        assertEquals(List.of(ChangeKind.DELETED), s1.changes().stream().map(FileChange::kind).toList());
        List<IndexEntry> a = index.byPath("a.txt").await().atMost(WAIT);
        assertEquals(List.of("s1", "s2"), a.stream().map(IndexEntry::sessionId).toList());
        assertEquals(ChangeKind.DELETED, a.get(0).kind());
        assertEquals(ChangeKind.MODIFIED, a.get(1).kind());
        assertEquals(1, index.byPath("b.txt").await().atMost(WAIT).size());
        assertEquals(List.of(), index.byPath("c.txt").await().atMost(WAIT));
    }

    @Test
    void concurrentSessionsLoseNoEntryAndRebuildGivesTheSameIndex() throws Exception {
        List<Supplier<Uni<SessionChanges>>> merges = new ArrayList<>();
        for (int s = 0; s < 16; s++) {
            String session = "s" + s;
            for (int batch = 0; batch < 3; batch++) {
                List<FileChange> changes = List.of(change("shared.txt", ChangeKind.MODIFIED, null),
                        change(session + "-" + batch + ".txt", ChangeKind.CREATED, null));
                merges.add(() -> index.merge(session, changes));
            }
        }

        List<ConcurrencyHelpers.Outcome<SessionChanges>> outcomes =
                ConcurrencyHelpers.runConcurrent(merges).await().atMost(Duration.ofSeconds(90));

        assertTrue(outcomes.stream().allMatch(ConcurrencyHelpers.Outcome::succeeded));
        assertEquals(16, index.byPath("shared.txt").await().atMost(WAIT).size(), "one entry per session");
        for (int s = 0; s < 16; s++) {
            for (int batch = 0; batch < 3; batch++) {
                assertEquals(1, index.byPath("s" + s + "-" + batch + ".txt").await().atMost(WAIT).size());
            }
        }
        String incremental = Files.readString(data.resolve("file-changes/index.json"));
        FileChangeIndex.Rebuilt rebuilt = index.rebuild().await().atMost(WAIT);
        assertEquals(16, rebuilt.sessions());
        assertEquals(1 + 16 * 3, rebuilt.paths());
        assertEquals(paths(incremental), paths(Files.readString(data.resolve("file-changes/index.json"))),
                "the rebuilt index holds exactly what the incremental merges built");
    }

    private static Object paths(String indexJson) throws Exception {
        return TestJson.mapper().readTree(indexJson).get("paths");
    }
}
