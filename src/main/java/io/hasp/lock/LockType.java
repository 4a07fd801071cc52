package io.hasp.lock;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.hasp.ValidationException;

/** Kind of a lock: one exclusive holder, or any number of shared holders and no exclusive one. */
public enum LockType {
    EXCLUSIVE,
    SHARED;

    /** The name used in lock files and over HTTP. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Parses {@code "exclusive"} or {@code "shared"}; anything else is a {@link ValidationException}. */
    @JsonCreator
    public static LockType fromWire(String value) {
        for (LockType t : values()) {
            if (t.wireName().equals(value)) {
                return t;
            }
        }
        throw new ValidationException("lock type must be \"exclusive\" or \"shared\"");
    }
}
