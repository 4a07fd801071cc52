package io.hasp.storage.etcd;

import java.io.IOException;
import java.util.List;
import java.util.SortedMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.storage.Versioned;

/**
 * How a record kind is laid out in etcd keys ({@link RecordKeys}): a meta key that holds the record, or its head when
 * the record is too large for one value (etcd is meant for small values, a request is at most 1.5 MiB by default),
 * plus one key per entry (a queue's commands, the tokens, the credentials, the paths of the file-change index).
 * Every change writes the meta key (its version), so comparing the meta key's revision is comparing the record's.
 * Entry keys are named by a suffix under the record's entries prefix; the store seals their values for secret kinds.
 *
 * @param <T> the record type
 */
public interface EtcdLayout<T extends Versioned<T>> {

    /** One key, the record as JSON: for records that stay small. */
    static <T extends Versioned<T>> EtcdLayout<T> whole(Class<T> type) {
        return new WholeLayout<>(type);
    }

    /** The puts and deletes of entries one change makes, and what it does to the meta's counters. */
    record Writes(SortedMap<String, byte[]> puts, List<String> deletes, boolean removes, boolean moves, long seq) {
    }

    /** Whether records have entries besides their meta key. */
    boolean hasEntries();

    /** What the meta key holds of {@code record}: all of it, or its head. */
    JsonNode head(T record, ObjectMapper json);

    /** The record from its head and every entry (suffix to value, in key order). */
    T assemble(JsonNode head, SortedMap<String, byte[]> entries, ObjectMapper json) throws IOException;

    /**
     * {@code cached} brought up to {@code head} with the entries written since it ({@code changed}, in key order),
     * when no entry was removed or moved since (the store checks the meta's counters).
     */
    T catchUp(T cached, JsonNode head, SortedMap<String, byte[]> changed, ObjectMapper json) throws IOException;

    /** Whether {@link #writes} needs every entry of {@code before} as stored (rare changes: removals, moves). */
    boolean needsEntries(T before, T after);

    /**
     * The entry writes that make {@code after} of {@code before} ({@code null}: a new record); {@code entries} is
     * {@code before}'s entries when {@link #needsEntries} said so, else {@code null}; {@code seq} is the meta's.
     */
    Writes writes(T before, T after, SortedMap<String, byte[]> entries, long seq, ObjectMapper json)
            throws IOException;
}
