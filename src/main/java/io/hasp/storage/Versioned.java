package io.hasp.storage;

/**
 * A record whose every stored change increments {@link #version()} by one, starting at 1.
 * {@link BaseFileRepository} alone sets the version; everyone else only reads it.
 *
 * @param <T> the record type itself
 */
public interface Versioned<T> {

    /** The number of stored changes so far; 1 for a new record. */
    long version();

    /** A copy of this record with {@code version}. */
    T withVersion(long version);
}
