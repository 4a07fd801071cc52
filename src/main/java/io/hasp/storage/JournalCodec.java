package io.hasp.storage;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * How a record kind writes a change as a journal entry instead of the whole record, so that the cost of a change
 * does not grow with the record (a queue of 10,000 commands takes an append as cheaply as an empty one). Record
 * kinds without a codec are written whole.
 *
 * @param <T> the record type
 */
public interface JournalCodec<T> {

    /**
     * The change that made {@code after} from {@code before}, or empty when it cannot be said briefly (the record is
     * then written whole). Called once per batch, with {@code before} as stored and {@code after} as about to be.
     */
    Optional<JsonNode> diff(T before, T after);

    /** {@code before} with {@code change} applied; the version is set by the caller. Deterministic. */
    T apply(T before, JsonNode change);

    /** {@code after} is stored: forget what {@link #diff} kept to say how it was made. */
    default void stored(T after) {
    }
}
