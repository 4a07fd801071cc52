package io.hasp.storage;

/** The record (or an entry inside it) does not exist; answered with 404. */
public class RecordNotFoundException extends RuntimeException {

    public RecordNotFoundException(String message) {
        super(message, null, false, false);
    }
}
