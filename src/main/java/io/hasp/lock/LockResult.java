package io.hasp.lock;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.annotation.JsonValue;

/** Outcome of an acquisition: the granted handles, or the reason none was granted. */
public sealed interface LockResult {

    /** Why an acquisition failed. */
    enum Reason {
        /** The deadline passed while the lock was busy. */
        TIMEOUT,
        /** The retries ran out (or a zero timeout found the lock busy). */
        LOCKED,
        /** An I/O fault: the lock state could not be read or written. */
        ERROR;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static LockResult acquired(LockHandle handle) {
        return new Acquired(List.of(handle));
    }

    static LockResult failed(Reason reason, String message, Optional<LockHolder> holder) {
        return new Failed(reason, message, holder);
    }

    /**
     * Success. One handle for {@code acquire}; one per resource, in the canonical order they were taken, for
     * {@code acquireAll}.
     */
    record Acquired(List<LockHandle> handles) implements LockResult {
        public Acquired {
            handles = List.copyOf(handles);
            if (handles.isEmpty()) {
                throw new IllegalArgumentException("an acquisition grants at least one lock");
            }
        }

        /** The handle of a single-resource acquisition. */
        public LockHandle handle() {
            return handles.get(0);
        }
    }

    /**
     * Failure.
     *
     * @param holder the holder that was in the way, when known
     */
    record Failed(Reason reason, String message, Optional<LockHolder> holder) implements LockResult {
        public Failed {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(holder, "holder");
        }
    }
}
