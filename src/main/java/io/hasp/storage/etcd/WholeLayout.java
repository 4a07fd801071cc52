package io.hasp.storage.etcd;

import java.io.IOException;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.storage.Versioned;

/** The record whole in its meta key: bookmarks, groups, session change records. */
final class WholeLayout<T extends Versioned<T>> implements EtcdLayout<T> {

    private final Class<T> type;

    WholeLayout(Class<T> type) {
        this.type = type;
    }

    @Override
    public boolean hasEntries() {
        return false;
    }

    @Override
    public JsonNode head(T record, ObjectMapper json) {
        return json.valueToTree(record);
    }

    @Override
    public T assemble(JsonNode head, SortedMap<String, byte[]> entries, ObjectMapper json) throws IOException {
        return json.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS).readValue(head);
    }

    @Override
    public T catchUp(T cached, JsonNode head, SortedMap<String, byte[]> changed, ObjectMapper json)
            throws IOException {
        return assemble(head, changed, json);
    }

    @Override
    public boolean needsEntries(T before, T after) {
        return false;
    }

    @Override
    public Writes writes(T before, T after, SortedMap<String, byte[]> entries, long seq, ObjectMapper json) {
        return new Writes(new TreeMap<>(), List.of(), false, false, seq);
    }
}
