package io.hasp.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * A granted lock, held until released or lost ({@link #isHeld()} tells). Every successful acquire must be balanced
 * by one {@link #release()}; releasing twice is harmless.
 */
public interface LockHandle {

    /**
     * Gives the lock back. Removes the lock file (or this holder's entry of a shared lock) only while it is still
     * this grant's; completes normally when the lock was already gone. Idempotent.
     */
    Uni<Void> release();

    /** Whether this grant still holds the lock, as far as this process knows (not released, not lost, lease running). */
    boolean isHeld();

    /** Path of the lock file ({@code F.lock} for resource {@code F}). */
    Path lockPath();

    /** The locked resource. */
    Path resource();

    /** Identity of this grant inside the lock file; for leases it is the capability that renews and releases. */
    String lockId();

    /** Strictly increasing per resource with every grant, across processes and restarts. */
    long fencingToken();

    LockType type();

    Instant acquiredAt();

    /** End of the lease, for leases. */
    Optional<Instant> expiresAt();

    /**
     * Extends a lease to {@code lease} from now. Fails with {@link LockLostException} when the lock is no longer
     * held by this grant.
     */
    Uni<LockHandle> renew(Duration lease);

    /**
     * Ends this grant like {@link #release()} but, for an exclusive lock of this process, may keep the lock file as
     * parked: no tool that knows only the plan can take the resource, while any Hasp process takes it over at once.
     * The record layer parks a record whose journal is not yet folded into its file. By default, a release.
     */
    default Uni<Void> park() {
        return release();
    }

    /**
     * Completes when someone else wants this resource: another process waits for its turn, or another waiter of
     * this JVM. A holder that keeps a lock between uses (the record layer) gives it up then. By default, never.
     */
    default Uni<Void> contended() {
        return Uni.createFrom().nothing();
    }

    /**
     * Runs {@code write} while this grant verifiably holds the lock: the lock file still names it and nobody can
     * break it before {@code write} returns. Fails with {@link LockLostException}, running nothing, when the lock
     * was lost (a holder paused past {@code stale-after} may have been broken by another host). Blocking: call it on
     * a worker thread.
     */
    default <R> R whileHeld(Supplier<R> write) {
        if (!isHeld()) {
            throw new LockLostException("the lock is no longer held");
        }
        return write.get();
    }
}
