package io.hasp.storage;

import java.util.Objects;
import java.util.function.Function;

/**
 * What a modifier decided, for {@link BaseFileRepository#computeWithLock}: the record to store (or none, to leave
 * the file alone) and how to compute the caller's answer from the record as stored, with its new version.
 *
 * @param record the new record, or {@code null} to write nothing
 * @param result computes the answer from the stored record (or from the current one, when nothing is written)
 * @param <T>    the record type
 * @param <R>    the answer type
 */
public record Modification<T, R>(T record, Function<? super T, ? extends R> result) {

    public Modification {
        Objects.requireNonNull(result, "result");
    }

    /** Store {@code record} and answer with something computed from it. */
    public static <T, R> Modification<T, R> write(T record, Function<? super T, ? extends R> result) {
        return new Modification<>(Objects.requireNonNull(record, "record"), result);
    }

    /** Store nothing and answer {@code value}. */
    public static <T, R> Modification<T, R> unchanged(R value) {
        return new Modification<>(null, ignored -> value);
    }
}
