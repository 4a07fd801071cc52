package io.hasp.storage;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import io.smallrye.mutiny.Uni;

/**
 * A repository of a kind with one record per id (queues, bookmarks, groups, sessions' changes): the reads and the
 * delete every such kind answers the same way. Kinds that keep one record of many entries (tokens, credentials, the
 * file-change index) build on {@link RecordRepository} alone and answer for their entries.
 *
 * @param <T> the record type
 */
public abstract class KeyedRepository<T extends Versioned<T>> extends RecordRepository<T> {

    protected KeyedRepository(RecordStores stores, RecordKind<T> kind, Clock clock) {
        super(stores, kind, clock);
    }

    /** The record {@code id} as last committed; empty when absent. */
    public Uni<Optional<T>> get(String id) {
        return read(id);
    }

    /** Every record of the kind, sorted by id. */
    public Uni<List<T>> list() {
        return listAll();
    }

    /**
     * Deletes record {@code id}; answers whether it existed. With an expected version, a mismatch (including a
     * missing record) fails with {@link VersionConflictException}.
     */
    public Uni<Boolean> delete(String id, OptionalLong expectedVersion) {
        return deleteWithLock(id, expectedVersion);
    }
}
