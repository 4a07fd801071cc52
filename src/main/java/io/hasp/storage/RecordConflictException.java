package io.hasp.storage;

/** The change contradicts the record's state (the id exists already, a claim belongs to another runner); 409. */
public class RecordConflictException extends RuntimeException {

    public RecordConflictException(String message) {
        super(message, null, false, false);
    }
}
