package io.hasp.storage;

/** The caller demanded a version (HTTP If-Match) that is not the record's current one; answered with 412. */
public class VersionConflictException extends RuntimeException {

    private final long expected;
    private final long actual;

    public VersionConflictException(long expected, long actual) {
        super("expected version " + expected + " but the record is at version " + actual, null, false, false);
        this.expected = expected;
        this.actual = actual;
    }

    public long expected() {
        return expected;
    }

    /** The current version; 0 when the record does not exist. */
    public long actual() {
        return actual;
    }
}
