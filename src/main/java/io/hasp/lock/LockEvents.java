package io.hasp.lock;

import java.nio.file.Path;

/**
 * What the engine reports about its work, for metrics. Implementations must be cheap and never throw; they are
 * called on worker threads with no lock held.
 */
public interface LockEvents {

    /** Reports nothing. */
    LockEvents NONE = new LockEvents() {
    };

    /** A lock was granted after waiting {@code waitNanos}. */
    default void acquired(LockHandle handle, long waitNanos) {
    }

    /** An acquisition gave up after {@code waitNanos}. */
    default void failed(LockResult.Reason reason, long waitNanos) {
    }

    /**
     * An acquisition of {@code resource} as {@code type} gave up after {@code waitNanos}: what the engine reports,
     * for observers that name the lock. By default {@link #failed(LockResult.Reason, long)}.
     */
    default void failed(Path resource, LockType type, LockResult.Reason reason, long waitNanos) {
        failed(reason, waitNanos);
    }

    /** A grant of this process was released after being held {@code heldNanos}. */
    default void released(long heldNanos) {
    }

    /** A release handed the lock straight to the next waiter of this JVM. */
    default void handedOff() {
    }

    /** A stale holder was removed; {@code lease} when it was a lease that had ended. */
    default void staleBroken(boolean lease) {
    }
}
