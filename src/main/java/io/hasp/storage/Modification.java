package io.hasp.storage;

import java.util.Objects;
import java.util.function.Function;

/**
 * What a modifier decided, for {@link RecordStore#change}: the record to store, none (leave it), or deletion; and how
 * to compute the caller's answer from the record as stored (with its new version), or from the current one when
 * nothing is stored.
 *
 * @param record   the new record, or {@code null} to write nothing
 * @param deletes  whether the record is to be deleted (then {@code result} gets the record as it was)
 * @param restores whether {@code record} keeps its own version (an import), unless that is not above the current
 *                 one (see {@link Batch})
 * @param result   computes the answer
 * @param <T>      the record type
 * @param <R>      the answer type
 */
public record Modification<T, R>(T record, boolean deletes, boolean restores,
                                 Function<? super T, ? extends R> result) {

    public Modification {
        Objects.requireNonNull(result, "result");
        if (deletes && record != null) {
            throw new IllegalArgumentException("a deletion stores no record");
        }
        if (restores && record == null) {
            throw new IllegalArgumentException("a restore stores a record");
        }
    }

    /** Store {@code record} and answer with something computed from it. */
    public static <T, R> Modification<T, R> write(T record, Function<? super T, ? extends R> result) {
        return new Modification<>(Objects.requireNonNull(record, "record"), false, false, result);
    }

    /**
     * Store {@code record} with its own version (a record brought back from an export), unless the record's current
     * version (or, for an absent one, the backend's floor) says a higher one is needed; answer as {@link #write}.
     */
    public static <T, R> Modification<T, R> restore(T record, Function<? super T, ? extends R> result) {
        return new Modification<>(Objects.requireNonNull(record, "record"), false, true, result);
    }

    /** Store nothing and answer {@code value}. */
    public static <T, R> Modification<T, R> unchanged(R value) {
        return new Modification<>(null, false, false, ignored -> value);
    }

    /** Delete the record and answer with something computed from it as it was ({@code null} when absent). */
    public static <T, R> Modification<T, R> delete(Function<? super T, ? extends R> result) {
        return new Modification<>(null, true, false, result);
    }
}
