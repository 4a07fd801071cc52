package io.hasp.lock;

/** The lock is no longer held by the grant that was named: released, expired, or taken over. */
public class LockLostException extends RuntimeException {

    public LockLostException(String message) {
        super(message, null, false, false);
    }
}
