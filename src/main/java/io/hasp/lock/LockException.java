package io.hasp.lock;

/** Thrown by {@link FileLockService#withLock} when the lock could not be had; carries the failed result. */
public class LockException extends RuntimeException {

    private final LockResult.Failed failure;

    public LockException(LockResult.Failed failure) {
        super(failure.message(), null, false, false);
        this.failure = failure;
    }

    public LockResult.Failed failure() {
        return failure;
    }
}
