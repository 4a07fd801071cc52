package io.hasp.storage;

import io.hasp.ValidationException;

/** A name or id that could escape the data directory or is not in the allowed alphabet; answered with 400. */
public class InvalidNameException extends ValidationException {

    public InvalidNameException(String message) {
        super(message);
    }
}
