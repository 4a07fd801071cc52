package io.hasp.queue;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

import io.hasp.ValidationException;

/** Where a command is in its life: pending until claimed, running while claimed, then completed or failed. */
public enum CommandStatus {
    PENDING,
    RUNNING,
    COMPLETED,
    FAILED;

    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses the wire name; anything else is a {@link ValidationException} (400). */
    @JsonCreator
    public static CommandStatus fromWire(String value) {
        for (CommandStatus s : values()) {
            if (s.wireName().equals(value)) {
                return s;
            }
        }
        throw new ValidationException("status must be one of pending, running, completed, failed");
    }

    /** Whether the command is done, one way or the other. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED;
    }
}
