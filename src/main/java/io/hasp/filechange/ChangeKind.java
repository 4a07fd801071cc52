package io.hasp.filechange;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.hasp.ValidationException;

/** What happened to a file in a session. */
public enum ChangeKind {
    CREATED,
    MODIFIED,
    DELETED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ChangeKind fromWire(String value) {
        for (ChangeKind k : values()) {
            if (k.wireName().equals(value)) {
                return k;
            }
        }
        throw new ValidationException("kind must be one of created, modified, deleted");
    }
}
