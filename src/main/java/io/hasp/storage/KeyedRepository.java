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
public abstract class KeyedRepository<T extends Versioned<T>> extends RecordRepository<T>
        implements KeyedRecords<T> {

    protected KeyedRepository(RecordStores stores, RecordKind<T> kind, Clock clock) {
        super(stores, kind, clock);
    }

    @Override
    public Uni<Optional<T>> get(String id) {
        return read(id);
    }

    @Override
    public Uni<List<T>> list() {
        return listAll();
    }

    @Override
    public Uni<T> create(RecordDraft<T> draft) {
        return createWithLock(draft.id(), (id, now) -> draft.toRecord(id, Optional.empty(), now));
    }

    @Override
    public Uni<Saved<T>> save(String id, RecordDraft<T> draft, OptionalLong expectedVersion) {
        return saveWithLock(id, expectedVersion, (current, now) -> draft.toRecord(id, current, now));
    }

    @Override
    public Uni<Boolean> delete(String id, OptionalLong expectedVersion) {
        return deleteWithLock(id, expectedVersion);
    }
}
