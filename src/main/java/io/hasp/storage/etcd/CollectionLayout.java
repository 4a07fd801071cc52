package io.hasp.storage.etcd;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.type.TypeFactory;

import io.hasp.storage.Versioned;

/**
 * A record that is a collection of entries by key (the tokens by id, the credentials by name, the file-change index
 * by path): its head in the meta key, each entry in a key of its own, so that the collection may outgrow one etcd
 * value and a change writes only the entries it changed (found by comparing the entries before and after, the same
 * object being the same entry). Entry keys are the entry's key as is, or base64url when keys are arbitrary text
 * (paths may hold {@code /}).
 *
 * @param <T> the record type
 * @param <E> the entry type
 */
public final class CollectionLayout<T extends Versioned<T>, E> implements EtcdLayout<T> {

    private final Class<T> type;
    private final UnaryOperator<T> withoutEntries;
    private final Function<T, Map<String, E>> entries;
    private final BiFunction<T, LinkedHashMap<String, E>, T> withEntries;
    private final JavaType entryType;
    private final boolean encodeKeys;

    /**
     * @param type           the record class
     * @param withoutEntries the record without its entries: its head
     * @param entries        the entries of a record by key
     * @param withEntries    a head with entries (in key order)
     * @param entryType      the entry type, for JSON
     * @param encodeKeys     whether keys are arbitrary text, stored as base64url
     */
    public CollectionLayout(Class<T> type, UnaryOperator<T> withoutEntries, Function<T, Map<String, E>> entries,
                            BiFunction<T, LinkedHashMap<String, E>, T> withEntries, JavaType entryType,
                            boolean encodeKeys) {
        this.type = type;
        this.withoutEntries = withoutEntries;
        this.entries = entries;
        this.withEntries = withEntries;
        this.entryType = entryType;
        this.encodeKeys = encodeKeys;
    }

    /** A layout whose entries are of class {@code entryClass}, with keys as they are. */
    public static <T extends Versioned<T>, E> CollectionLayout<T, E> of(
            Class<T> type, UnaryOperator<T> withoutEntries, Function<T, Map<String, E>> entries,
            BiFunction<T, LinkedHashMap<String, E>, T> withEntries, Class<E> entryClass) {
        return new CollectionLayout<>(type, withoutEntries, entries, withEntries,
                TypeFactory.defaultInstance().constructType(entryClass), false);
    }

    @Override
    public boolean hasEntries() {
        return true;
    }

    /** The head: the record without its entries (its version and, for some kinds, a time). */
    @Override
    public JsonNode head(T record, ObjectMapper json) {
        return json.valueToTree(withoutEntries.apply(record));
    }

    @Override
    public T assemble(JsonNode head, SortedMap<String, byte[]> stored, ObjectMapper json) throws IOException {
        LinkedHashMap<String, E> byKey = new LinkedHashMap<>();
        for (Map.Entry<String, byte[]> e : stored.entrySet()) {
            byKey.put(decode(e.getKey()), json.readValue(e.getValue(), entryType));
        }
        return withEntries.apply(json.treeToValue(head, type), sorted(byKey));
    }

    @Override
    public T catchUp(T cached, JsonNode head, SortedMap<String, byte[]> changed, ObjectMapper json)
            throws IOException {
        LinkedHashMap<String, E> byKey = new LinkedHashMap<>(entries.apply(cached));
        for (Map.Entry<String, byte[]> e : changed.entrySet()) {
            byKey.put(decode(e.getKey()), json.readValue(e.getValue(), entryType));
        }
        return withEntries.apply(json.treeToValue(head, type), sorted(byKey));
    }

    @Override
    public boolean needsEntries(T before, T after) {
        return false;
    }

    @Override
    public Writes writes(T before, T after, SortedMap<String, byte[]> stored, long seq, ObjectMapper json)
            throws IOException {
        Map<String, E> was = before == null ? Map.of() : entries.apply(before);
        Map<String, E> now = entries.apply(after);
        SortedMap<String, byte[]> puts = new TreeMap<>();
        for (Map.Entry<String, E> e : now.entrySet()) {
            E old = was.get(e.getKey());
            if (old != e.getValue() && !Objects.equals(old, e.getValue())) {
                puts.put(encode(e.getKey()), json.writeValueAsBytes(e.getValue()));
            }
        }
        List<String> deletes = new ArrayList<>();
        for (String key : was.keySet()) {
            if (!now.containsKey(key)) {
                deletes.add(encode(key));
            }
        }
        return new Writes(puts, deletes, !deletes.isEmpty(), false, seq);
    }

    private String encode(String key) {
        return encodeKeys ? Base64.getUrlEncoder().withoutPadding().encodeToString(
                key.getBytes(StandardCharsets.UTF_8)) : key;
    }

    private String decode(String suffix) {
        return encodeKeys ? new String(Base64.getUrlDecoder().decode(suffix), StandardCharsets.UTF_8)
                : suffix;
    }

    private static <E> LinkedHashMap<String, E> sorted(Map<String, E> byKey) {
        return new LinkedHashMap<>(new TreeMap<>(byKey));
    }
}
