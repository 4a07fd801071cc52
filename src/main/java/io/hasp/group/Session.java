package io.hasp.group;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/**
 * One session entry of a group: {@code sessionId}, {@code status}, {@code updatedAt}, plus any other members the
 * client sent (kept as they are, flat beside the three).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Session(String sessionId, String status, Instant updatedAt, Map<String, JsonNode> extra) {

    static final int MAX_STATUS = 100;
    static final int MAX_EXTRA = 50;

    public Session {
        SafeNames.require("sessionId", sessionId);
        Checks.requireText("status", status, MAX_STATUS);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
        if (extra.size() > MAX_EXTRA) {
            throw new ValidationException("a session has at most " + MAX_EXTRA + " extra members");
        }
    }

    /** Reads the flat JSON form; members other than the three known ones become {@link #extra()}. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    public static Session fromJson(ObjectNode node) {
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            if (!field.getKey().equals("sessionId") && !field.getKey().equals("status")
                    && !field.getKey().equals("updatedAt")) {
                extra.put(field.getKey(), field.getValue());
            }
        }
        JsonNode at = node.get("updatedAt");
        Instant updatedAt;
        try {
            updatedAt = at == null || at.isNull() ? null : Instant.parse(at.asText());
        } catch (DateTimeParseException e) {
            throw new ValidationException("updatedAt must be an ISO-8601 timestamp");
        }
        return new Session(text(node, "sessionId"), text(node, "status"), updatedAt, extra);
    }

    private static String text(ObjectNode node, String field) {
        JsonNode value = node.get(field);
        if (value != null && !value.isNull() && !value.isTextual()) {
            throw new ValidationException(field + " must be a string");
        }
        return value == null || value.isNull() ? null : value.asText();
    }

    /** The extra members, written flat beside the known ones. */
    @Override
    @JsonAnyGetter
    public Map<String, JsonNode> extra() {
        return extra;
    }

    /** This entry updated by {@code update}: its status, and its extra members over the old ones. */
    Session mergedWith(Session update, Instant now) {
        Map<String, JsonNode> merged = new LinkedHashMap<>(extra);
        merged.putAll(update.extra());
        return new Session(sessionId, update.status(), now, merged);
    }
}
