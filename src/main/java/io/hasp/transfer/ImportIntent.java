package io.hasp.transfer;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.storage.Versioned;

/**
 * What a running import is about to write, made durable before it writes anything, so that an import cut short by the
 * death of its process can be undone by another (see {@link ImportRecovery}). Deleted when the import succeeds or has
 * undone itself.
 *
 * @param id        the import's id (a random UUID)
 * @param version   the record's version
 * @param owner     who acts on the import now: the importing replica's random id, or a recovery's
 * @param heartbeat when the owner last said it was alive; an intent silent for longer than
 *                  {@code hasp.import.stale-after} is rolled back
 * @param entries   every record (or token, or credential) the import writes, in the order it writes them
 */
public record ImportIntent(String id, long version, String owner, Instant heartbeat, List<Entry> entries)
        implements Versioned<ImportIntent> {

    public ImportIntent {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /**
     * One thing an import writes.
     *
     * @param kind     the export's kind ({@code queue}, ..., {@code token}, {@code credential})
     * @param id       the record's id; a token's id or a credential's name for those, which are entries of one record
     * @param before   the record (or entry) as the import found it, its version included; {@code null}: absent
     * @param stored   for a record with an id, the version the import stores (a rollback happens only while the
     *                 record is still at it); 0 for tokens and credentials
     * @param imported for tokens and credentials, the entry the import puts (a rollback happens only while the entry is
     *                 still that one); {@code null} otherwise
     */
    public record Entry(String kind, String id, JsonNode before, long stored, JsonNode imported) {

        /** The version of the record before the import; 0 when absent (what an expected version calls absent). */
        long beforeVersion() {
            return before == null || before.isNull() ? 0 : before.path("version").asLong();
        }

        boolean absentBefore() {
            return before == null || before.isNull();
        }
    }

    @Override
    public ImportIntent withVersion(long version) {
        return new ImportIntent(id, version, owner, heartbeat, entries);
    }

    /** The same intent, owned by {@code owner} as of {@code at} (the entries are the same objects). */
    ImportIntent beat(String owner, Instant at) {
        return new ImportIntent(id, version, owner, at, entries);
    }

    /** The same intent with {@code more} entries after its own. */
    ImportIntent plus(List<Entry> more) {
        List<Entry> all = new java.util.ArrayList<>(entries);
        all.addAll(more);
        return new ImportIntent(id, version, owner, heartbeat, all);
    }

    /** The same intent with entry {@code index} replaced. */
    ImportIntent with(int index, Entry entry) {
        List<Entry> all = new java.util.ArrayList<>(entries);
        all.set(index, entry);
        return new ImportIntent(id, version, owner, heartbeat, all);
    }

    /** The entries by key, for the etcd layout: one key per entry, in order. */
    static Map<String, Entry> byKey(ImportIntent intent) {
        Map<String, Entry> out = new LinkedHashMap<>();
        for (int i = 0; i < intent.entries.size(); i++) {
            out.put(key(i), intent.entries.get(i));
        }
        return out;
    }

    static String key(int index) {
        return String.format("e%08d", index);
    }
}
