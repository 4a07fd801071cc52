package io.hasp.storage.etcd;

import java.io.IOException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a record's meta key holds: {@code {"r": head, "s": seq, "x": removals, "m": moves, "w": {writer: batch}}}.
 * <ul>
 *   <li>{@code r}: the record, or for a record with entries its head (version included);</li>
 *   <li>{@code s}: the next append sequence of a queue (the place of the next command);</li>
 *   <li>{@code x}, {@code m}: how many batches removed or reordered entries: a reader whose copy has the same counts
 *       catches up with the entries changed since, instead of reading them all;</li>
 *   <li>{@code w}: the last batch of each of the most recent {@value #WRITERS} writers (replica-local committers), so
 *       that a committer whose transaction was retried after a time-out can tell that its first try went through.</li>
 * </ul>
 */
record Meta(JsonNode head, long seq, long removals, long moves, Map<String, String> writers) {

    /** Writers remembered per record. */
    static final int WRITERS = 32;

    Meta {
        writers = Map.copyOf(writers);
    }

    static Meta parse(byte[] bytes, ObjectMapper json) throws IOException {
        JsonNode node = json.readTree(bytes);
        if (node == null || !node.isObject() || !node.has("r")) {
            throw new IOException("not a record envelope");
        }
        return new Meta(node.get("r"), node.path("s").asLong(), node.path("x").asLong(), node.path("m").asLong(),
                writers(node.get("w")));
    }

    byte[] bytes(ObjectMapper json) throws IOException {
        ObjectNode node = json.createObjectNode();
        node.set("r", head);
        node.put("s", seq).put("x", removals).put("m", moves);
        ObjectNode w = node.putObject("w");
        writers.forEach(w::put);
        return json.writeValueAsBytes(node);
    }

    /** {@code writers} with {@code writer}'s last batch now {@code batch}, the oldest others dropped past the cap. */
    static Map<String, String> wrote(Map<String, String> writers, String writer, String batch) {
        LinkedHashMap<String, String> next = new LinkedHashMap<>(writers);
        next.remove(writer);
        while (next.size() >= WRITERS) {
            Iterator<String> oldest = next.keySet().iterator();
            oldest.next();
            oldest.remove();
        }
        next.put(writer, batch);
        return next;
    }

    static Map<String, String> writers(JsonNode w) {
        LinkedHashMap<String, String> out = new LinkedHashMap<>();
        if (w != null && w.isObject()) {
            w.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }
}
