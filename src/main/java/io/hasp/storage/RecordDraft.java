package io.hasp.storage;

import java.time.Instant;
import java.util.Optional;

/**
 * The body of a create (POST) or a save (PUT) of a record: what the caller says of the record, from which
 * {@link KeyedRepository#create} and {@link KeyedRepository#save} make the record to store.
 *
 * @param <T> the record type
 */
public interface RecordDraft<T> {

    /** The id the caller asks for on a create; null for a generated one (a save takes the path's id instead). */
    String id();

    /**
     * The record to store as {@code id} at time {@code now}, replacing {@code current} (empty for a new record, which
     * is then created at {@code now}); its version is the store's to set.
     */
    T toRecord(String id, Optional<T> current, Instant now);
}
