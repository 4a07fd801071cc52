package io.hasp.transfer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.bookmark.Bookmark;
import io.hasp.bookmark.BookmarkRepository;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.CredentialRequest;
import io.hasp.credential.StoredCredential;
import io.hasp.storage.Modification;
import io.quarkus.test.junit.QuarkusTest;

/**
 * An import cut short by the death of its process, planted as it would leave it (its intent, some records written,
 * some not, one changed since by someone else), is rolled back by the sweeper once the intent's heartbeat is older than
 * {@code hasp.import.stale-after} (3 s in the test profile): what the import wrote goes back to its before-state, what
 * it did not reach is untouched, what someone changed since is kept.
 */
@QuarkusTest
class ImportRecoveryTest {

    private static final Instant T = Instant.parse("2026-01-31T10:00:00Z");
    private static final long IMPORTED = 1_788_000_000_000_001L;

    @Inject
    ImportIntents intents;
    @Inject
    BookmarkRepository bookmarks;
    @Inject
    CredentialRepository credentials;
    @Inject
    ObjectMapper json;

    private static Bookmark bookmark(String id, String title, long version) {
        return new Bookmark(id, title, "https://example.org/" + id, List.of(), version, T, T);
    }

    /** Stores {@code b} at its own version, expecting the record at {@code expected} (0: absent), as an import does. */
    private Bookmark restore(Bookmark b, long expected) {
        return bookmarks.store().change(b.id(), OptionalLong.of(expected), 0,
                current -> Modification.<Bookmark, Bookmark>restore(b, stored -> stored)).await().indefinitely();
    }

    private Bookmark create(String id, String title) {
        return bookmarks.store().change(id, OptionalLong.of(0), 0,
                current -> Modification.<Bookmark, Bookmark>write(bookmark(id, title, 0), stored -> stored))
                .await().indefinitely();
    }

    private Optional<Bookmark> get(String id) {
        return bookmarks.get(id).await().indefinitely();
    }

    private Optional<StoredCredential> credential(String name) {
        return credentials.storedAll().await().indefinitely().stream().filter(c -> c.name().equals(name)).findFirst();
    }

    private ImportIntent.Entry entry(String id, Bookmark before, long stored) {
        return new ImportIntent.Entry("bookmark", id, before == null ? null : json.valueToTree(before), stored, null);
    }

    @Test
    void aStaleIntentIsRolledBackWrittenRecordsOnlyAndALaterChangeIsKept() {
        String p = "ir-" + UUID.randomUUID().toString().substring(0, 8);
        Bookmark replacedBefore = create(p + "-replaced", "before");
        Bookmark untouchedBefore = create(p + "-not-reached-old", "before");
        credentials.put(p + "-cred", new CredentialRequest("old-value", "d")).await().indefinitely();
        StoredCredential credBefore = credential(p + "-cred").orElseThrow();

        // what the dead import wrote: a new record, a replaced one, one changed since by someone else, two credentials
        restore(bookmark(p + "-new", "imported", IMPORTED), 0);
        long replacedAt = replacedBefore.version() + 1;
        restore(bookmark(p + "-replaced", "imported", replacedAt), replacedBefore.version());
        restore(bookmark(p + "-changed", "imported", IMPORTED), 0);
        Bookmark theirs = restore(bookmark(p + "-changed", "theirs", IMPORTED), IMPORTED);
        StoredCredential credImported = new StoredCredential(p + "-cred", "new-value", "d", T);
        StoredCredential newImported = new StoredCredential(p + "-cred-new", "n-value", "d", T);
        credentials.restoreAll(List.of(credImported, newImported), true).await().indefinitely();

        List<ImportIntent.Entry> entries = new ArrayList<>(List.of(
                entry(p + "-new", null, IMPORTED),
                entry(p + "-replaced", replacedBefore, replacedAt),
                entry(p + "-changed", null, IMPORTED),
                entry(p + "-not-reached-new", null, IMPORTED),
                entry(p + "-not-reached-old", untouchedBefore, untouchedBefore.version() + 1),
                new ImportIntent.Entry("credential", p + "-cred", json.valueToTree(credBefore), 0,
                        json.valueToTree(credImported)),
                new ImportIntent.Entry("credential", p + "-cred-new", null, 0, json.valueToTree(newImported))));
        String id = UUID.randomUUID().toString();
        intents.begin(id, "import-dead", entries, e -> 1).await().indefinitely();

        Awaitility.await().atMost(Duration.ofSeconds(30))
                .until(() -> intents.get(id).await().indefinitely().isEmpty());

        assertTrue(get(p + "-new").isEmpty(), "a record the import created is gone");
        Bookmark replaced = get(p + "-replaced").orElseThrow();
        assertEquals("before", replaced.title(), "a record the import replaced is back");
        assertTrue(replaced.version() > replacedAt, "its version is above the import's: " + replaced.version());
        assertEquals(theirs, get(p + "-changed").orElseThrow(), "a record changed since is kept as it is");
        assertTrue(get(p + "-not-reached-new").isEmpty());
        assertEquals(untouchedBefore, get(p + "-not-reached-old").orElseThrow(), "a record not reached is untouched");
        assertEquals(credBefore, credential(p + "-cred").orElseThrow(), "a replaced credential is back");
        assertTrue(credential(p + "-cred-new").isEmpty(), "a credential the import created is gone");
    }

    @Test
    void ofTwoReplicasTakingOneIntentOneWins() {
        String id = UUID.randomUUID().toString();
        intents.begin(id, "import-dead", List.of(), e -> 1).await().indefinitely();
        ImportIntent read = intents.get(id).await().indefinitely().orElseThrow();
        Optional<ImportIntent> first = intents.take(read, "recovery-a").await().indefinitely();
        Optional<ImportIntent> second = intents.take(read, "recovery-b").await().indefinitely();
        assertTrue(first.isPresent() ^ second.isPresent(), "exactly one take wins: " + first + " " + second);
        assertEquals(false, intents.beat(id, "import-dead").await().indefinitely(), "the importer has lost it");
        intents.finish(id).await().indefinitely();
    }
}
