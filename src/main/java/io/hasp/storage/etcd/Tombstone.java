package io.hasp.storage.etcd;

import java.io.IOException;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * What a deleted record leaves behind, {@code {"v": last version, "w": writers}}: a record created again starts
 * above {@code v}, so no version of the old one comes back, whatever the replicas' clocks say; the writers carry on
 * into the new record's meta (see {@link Meta}).
 */
record Tombstone(long version, Map<String, String> writers) {

    Tombstone {
        writers = Map.copyOf(writers);
    }

    static Tombstone parse(byte[] bytes, ObjectMapper json) throws IOException {
        JsonNode node = json.readTree(bytes);
        if (node == null || !node.has("v")) {
            throw new IOException("not a tombstone");
        }
        return new Tombstone(node.get("v").asLong(), Meta.writers(node.get("w")));
    }

    byte[] bytes(ObjectMapper json) throws IOException {
        ObjectNode node = json.createObjectNode().put("v", version);
        ObjectNode w = node.putObject("w");
        writers.forEach(w::put);
        return json.writeValueAsBytes(node);
    }
}
