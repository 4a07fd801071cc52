package io.hasp.lock;

import java.nio.file.Path;
import java.util.Optional;

import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * One pending acquisition. Its {@link #state} moves from {@code WAITING} to exactly one of the others, always under
 * the monitor of its resource's {@link LocalLock}: a grant handed over by a release and a give-up at the deadline
 * are decided in one place, so a waiter that gives up can never also keep a grant.
 */
final class Waiter {

    enum State { WAITING, GRANTED, GAVE_UP, CANCELLED }

    final Path resource;
    final LockOptions options;
    final String lockId;
    final long startNanos;
    final long deadlineNanos;
    /** The queue this waiter joined at its first attempt (on a worker thread); {@code null} before. */
    volatile LocalLock local;
    /** Attempts that found the lock held (guarded by the LocalLock). */
    int retries;
    State state = State.WAITING;
    Grant grant;
    /** Set when the grant went on to the subscriber: a cancellation after that is the subscriber's business. */
    volatile boolean delivered;
    /** Who was in the way at the last attempt, for the failure message. */
    Optional<LockHolder> lastHolder = Optional.empty();
    /** Earliest lease end among the holders in the way, in epoch millis, or {@code Long.MAX_VALUE}. */
    long holderEndsAtMillis = Long.MAX_VALUE;

    private boolean woken;
    private UniEmitter<Object> wakeEmitter;

    Waiter(Path resource, LockOptions options, String lockId, long startNanos) {
        this.resource = resource;
        this.options = options;
        this.lockId = lockId;
        this.startNanos = startNanos;
        this.deadlineNanos = startNanos + options.timeout().toNanos();
    }

    boolean isLease() {
        return options.lease().isPresent();
    }

    /** Process lock (not a lease) of type exclusive. */
    boolean isProcessExclusive() {
        return !isLease() && options.type() == LockType.EXCLUSIVE;
    }

    @SuppressWarnings("unchecked")
    synchronized void registerWake(UniEmitter<? super Object> e) {
        UniEmitter<Object> emitter = (UniEmitter<Object>) e;
        if (woken) {
            woken = false;
            emitter.complete(Boolean.TRUE);
            return;
        }
        wakeEmitter = emitter;
        emitter.onTermination(() -> {
            synchronized (Waiter.this) {
                if (wakeEmitter == emitter) {
                    wakeEmitter = null;
                }
            }
        });
    }

    /** Ends the current pause at once (or the next one, if none is going on). */
    void wake() {
        UniEmitter<Object> e;
        synchronized (this) {
            e = wakeEmitter;
            wakeEmitter = null;
            if (e == null) {
                woken = true;
            }
        }
        if (e != null) {
            e.complete(Boolean.TRUE);
        }
    }
}
