package io.hasp.lock;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * A grant of {@link LockFileEngine}: a lock of this process (no lease; kept alive by the heartbeat of its
 * {@link LocalLock}, gone with the process) or a lease (lives in the lock file only; any process may renew or
 * release it by lock id). Also used as the answer of a renewal read from the file.
 */
final class Grant implements LockHandle {

    /** Where a grant is in its life; it only moves forward. */
    enum State { HELD, RELEASING, RELEASED, LOST }

    final LockFileEngine engine;
    final Path resource;
    final String lockId;
    final LockType type;
    final long fencingToken;
    final Instant acquiredAt;
    final Duration lease;
    final long grantedNanos;
    final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    private volatile Optional<Instant> expiresAt;

    Grant(LockFileEngine engine, Path resource, String lockId, LockType type, long fencingToken, Instant acquiredAt,
          Duration lease, long grantedNanos) {
        this.engine = engine;
        this.resource = resource;
        this.lockId = lockId;
        this.type = type;
        this.fencingToken = fencingToken;
        this.acquiredAt = acquiredAt;
        this.lease = lease;
        this.grantedNanos = grantedNanos;
        this.expiresAt = lease == null ? Optional.empty() : Optional.of(acquiredAt.plus(lease));
    }

    boolean isLease() {
        return lease != null;
    }

    void expiresAt(Optional<Instant> value) {
        expiresAt = value;
    }

    /** Marks a grant of this process lost (its lock file no longer names it); it holds nothing any more. */
    void markLost() {
        state.compareAndSet(State.HELD, State.LOST);
    }

    @Override
    public Uni<Void> release() {
        if (!state.compareAndSet(State.HELD, State.RELEASING)) {
            return Uni.createFrom().voidItem();
        }
        return engine.releaseGrant(this, false);
    }

    @Override
    public Uni<Void> park() {
        if (isLease() || type != LockType.EXCLUSIVE) {
            return release();
        }
        if (!state.compareAndSet(State.HELD, State.RELEASING)) {
            return Uni.createFrom().voidItem();
        }
        return engine.releaseGrant(this, true);
    }

    @Override
    public Uni<Void> contended() {
        return isLease() ? LockHandle.super.contended() : engine.contended(this);
    }

    @Override
    public <R> R whileHeld(Supplier<R> write) {
        if (state.get() != State.HELD) {
            throw new LockLostException("the lock was released");
        }
        return engine.whileHeld(this, write);
    }

    @Override
    public boolean isHeld() {
        return state.get() == State.HELD
                && expiresAt.map(e -> engine.settings().clock().instant().isBefore(e)).orElse(true);
    }

    @Override
    public Path lockPath() {
        return LockPaths.lock(resource);
    }

    @Override
    public Path resource() {
        return resource;
    }

    @Override
    public String lockId() {
        return lockId;
    }

    @Override
    public long fencingToken() {
        return fencingToken;
    }

    @Override
    public LockType type() {
        return type;
    }

    @Override
    public Instant acquiredAt() {
        return acquiredAt;
    }

    @Override
    public Optional<Instant> expiresAt() {
        return expiresAt;
    }

    /**
     * For a lease, extends it; for a lock of this process (kept alive by the heartbeat, with no end) it refreshes
     * the heartbeat at once and ignores {@code newLease}.
     */
    @Override
    public Uni<LockHandle> renew(Duration newLease) {
        if (state.get() != State.HELD) {
            return Uni.createFrom().failure(new LockLostException("the lock was released"));
        }
        return engine.renew(resource, isLease() ? lockId : engine.owner(), newLease)
                .invoke(view -> expiresAt = view.expiresAt())
                .onFailure(LockLostException.class).invoke(f -> markLost())
                .replaceWith(this);
    }

    @Override
    public String toString() {
        return "LockHandle[" + resource.getFileName() + ", " + type.wireName() + ", token " + fencingToken + "]";
    }
}
