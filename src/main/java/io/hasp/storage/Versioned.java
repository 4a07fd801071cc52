package io.hasp.storage;

/**
 * A record whose every stored change increments {@link #version()} by one. A new record starts at the time of its
 * creation in microseconds, so that the versions of a record deleted and created again never repeat (an entity tag
 * names one incarnation). {@link BaseFileRepository} alone sets the version; everyone else only reads it.
 *
 * @param <T> the record type itself
 */
public interface Versioned<T> {

    /** The current version: strictly increasing, by one per stored change, never repeated for the record's id. */
    long version();

    /** A copy of this record with {@code version}. */
    T withVersion(long version);
}
