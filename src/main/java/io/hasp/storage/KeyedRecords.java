package io.hasp.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.hasp.storage.RecordRepository.Saved;
import io.smallrye.mutiny.Uni;

/**
 * The records of a kind with one record per id, as a REST collection serves them
 * ({@code io.hasp.http.RecordResource}): what {@link KeyedRepository} offers every such kind.
 *
 * @param <T> the record type
 */
public interface KeyedRecords<T> {

    /** The record {@code id} as last committed; empty when absent. */
    Uni<Optional<T>> get(String id);

    /** Every record of the kind, sorted by id. */
    Uni<List<T>> list();

    /** Creates the record {@code draft} describes; {@link RecordConflictException} when its id exists. */
    Uni<T> create(RecordDraft<T> draft);

    /** Creates or replaces record {@code id} with what {@code draft} makes of it. */
    Uni<Saved<T>> save(String id, RecordDraft<T> draft, OptionalLong expectedVersion);

    /**
     * Deletes record {@code id}; answers whether it existed. With an expected version, a mismatch (including a
     * missing record) fails with {@link VersionConflictException}.
     */
    Uni<Boolean> delete(String id, OptionalLong expectedVersion);
}
