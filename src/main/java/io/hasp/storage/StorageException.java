package io.hasp.storage;

/**
 * A record could not be read or written (I/O fault, unreadable JSON on disk). Its message names no server path, so
 * it may be shown to clients.
 */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
