package io.hasp.storage;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.smallrye.mutiny.Uni;

/**
 * The file backend of {@link RecordStore}: record {@code id} of kind {@code K} is {@code <data-dir>/K/<id>.json}
 * (a singleton is {@code <data-dir>/K.json}, see {@link DataDirectory#recordFile}), changed under its lock file with group commit and, for kinds with a
 * {@link JournalCodec}, a journal ({@link BaseFileRepository} does all of it); files of secret kinds are created
 * with mode 0600. Ids are checked before any file is touched ({@link SafeNames}).
 */
public final class FileRecordStore<T extends Versioned<T>> extends BaseFileRepository<T> implements RecordStore<T> {

    private final RecordKind<T> kind;
    private final DataDirectory dataDir;

    public FileRecordStore(RecordKind<T> kind, FileLockService locks, AtomicWriter writer, ObjectMapper mapper,
                           Clock clock, DataDirectory dataDir, LockOptions lockOptions, RecordSettings settings) {
        super(locks, writer, mapper, clock, kind.type(), lockOptions, settings, kind.journal());
        this.kind = kind;
        this.dataDir = dataDir;
    }

    /** The file of record {@code id} ({@link DataDirectory#recordFile}); refuses an unsafe id before any I/O. */
    public Path path(String id) {
        return dataDir.recordFile(kind, id);
    }

    @Override
    public Uni<Optional<T>> get(String id) {
        return read(path(id));
    }

    @Override
    public Optional<T> getNow(String id) {
        return readNow(path(id));
    }

    @Override
    public Uni<List<T>> list() {
        if (kind.singleton()) {
            return get(kind.singletonId()).map(found -> found.map(List::of).orElse(List.of()));
        }
        return listAll(dataDir.recordDir(kind));
    }

    @Override
    public <R> Uni<R> change(String id, OptionalLong expectedVersion, long weight,
                             Function<Optional<T>, Modification<T, R>> change) {
        return computeWithLock(path(id), expectedVersion, weight, change);
    }

    @Override
    public ChangeLimits limits() {
        return ChangeLimits.NONE;
    }

    @Override
    protected void writeNow(Path file, T record) {
        if (kind.secret()) {
            writer.writeJson(file, record, AtomicWriter.OWNER_ONLY);
        } else {
            super.writeNow(file, record);
        }
    }
}
