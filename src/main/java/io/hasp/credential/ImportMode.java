package io.hasp.credential;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.hasp.ValidationException;

/** {@code merge}: add and overwrite by name, keep the rest; {@code replace}: the import becomes the whole set. */
public enum ImportMode {
    MERGE,
    REPLACE;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static ImportMode fromWire(String value) {
        for (ImportMode m : values()) {
            if (m.wireName().equals(value)) {
                return m;
            }
        }
        throw new ValidationException("mode must be merge or replace");
    }
}
