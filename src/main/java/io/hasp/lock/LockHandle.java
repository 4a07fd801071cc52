package io.hasp.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import io.smallrye.mutiny.Uni;

/**
 * A granted lock (plan TASK-001). Every successful acquire must be balanced by one {@link #release()};
 * releasing twice is harmless.
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
}
