package io.hasp.bookmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockFileEngine;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.Engines;
import io.hasp.storage.FileStores;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.VersionConflictException;

class BookmarkRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final LockFileEngine engine = Engines.engine();
    private BookmarkRepository bookmarks;

    @BeforeEach
    void setUp() {
        bookmarks = new BookmarkRepository(new FileStores(engine, data), Clock.systemUTC());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void saveCreatesThenReplacesKeepingCreationTime() {
        RecordRepository.Saved<Bookmark> first = bookmarks.save("b", new BookmarkRequest(null, "T", "https://a", null),
                OptionalLong.empty()).await().atMost(WAIT);
        long created = first.record().version();
        RecordRepository.Saved<Bookmark> second = bookmarks.save("b", new BookmarkRequest(null, "T2", "https://b",
                List.of("x")), OptionalLong.of(created)).await().atMost(WAIT);

        assertTrue(first.created());
        assertFalse(second.created());
        assertEquals(first.record().createdAt(), second.record().createdAt());
        assertEquals(created + 1, second.record().version());
        assertThrows(VersionConflictException.class, () -> bookmarks.save("b",
                new BookmarkRequest(null, "T3", "https://c", null), OptionalLong.of(created)).await().atMost(WAIT));
        assertThrows(RecordConflictException.class,
                () -> bookmarks.create(new BookmarkRequest("b", "T", "https://a", null)).await().atMost(WAIT));
        assertThrows(RecordNotFoundException.class,
                () -> bookmarks.update("nope", new BookmarkPatch("x", null, null), OptionalLong.empty())
                        .await().atMost(WAIT));
    }

    @Test
    void concurrentTagUpdatesLoseNothing() {
        bookmarks.create(new BookmarkRequest("b", "T", "https://a", null)).await().atMost(WAIT);
        List<UnaryOperator<Set<String>>> adds = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String tag = "tag" + i;
            adds.add(tags -> {
                Set<String> next = new HashSet<>(tags);
                next.add(tag);
                return next;
            });
        }

        // Each modification adds its tag inside the repository's read-modify-write (a patch computed from the
        // current tags), which is exactly the lost-update pattern the lock must serialise.
        ConcurrencyHelpers.UpdateCheck<Set<String>> check = ConcurrencyHelpers.verifyNoLostUpdates(Set.of(), adds,
                () -> bookmarks.get("b").map(b -> new HashSet<>(b.orElseThrow().tags())),
                initial -> bookmarks.save("b", new BookmarkRequest(null, "T", "https://a", List.copyOf(initial)),
                        OptionalLong.empty()).replaceWithVoid(),
                add -> bookmarks.modifyTags("b", add)).await().atMost(Duration.ofSeconds(60));

        assertTrue(check.success(), () -> "expected " + check.expected() + " got " + check.actual());
    }
}
