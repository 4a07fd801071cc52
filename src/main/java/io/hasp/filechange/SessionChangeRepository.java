package io.hasp.filechange;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.FileRecordStore;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordSettings;
import io.hasp.storage.RecordStore;
import io.hasp.storage.RecordStores;
import io.smallrye.mutiny.Uni;

/** The per-session change records, {@code file-changes/sessions/<sessionId>.json} (or one etcd key each). */
@Singleton
public class SessionChangeRepository extends RecordRepository<SessionChanges> {

    /** Session change records, each stored whole. */
    public static final RecordKind<SessionChanges> KIND = RecordKind.whole("file-changes/sessions", "session",
            SessionChanges.class);

    @Inject
    public SessionChangeRepository(RecordStores stores) {
        this(stores.open(KIND), Clock.systemUTC());
    }

    public SessionChangeRepository(RecordStore<SessionChanges> store, Clock clock) {
        super(store, clock);
    }

    /** Session records on files under {@code dataDir}, for tests without CDI. */
    public SessionChangeRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                                   Path dataDir, LockOptions lockOptions) {
        this(new FileRecordStore<>(KIND, locks, writer, mapper, clock, dataDir, lockOptions,
                RecordSettings.defaults()), clock);
    }

    Uni<SessionChanges> modify(String sessionId, Function<Optional<SessionChanges>, SessionChanges> modifier) {
        return modifyWithLock(sessionId, OptionalLong.empty(), modifier);
    }

    public Uni<Optional<SessionChanges>> get(String sessionId) {
        return read(sessionId);
    }

    /** Blocking read, for the index's changes (on a worker thread). */
    Optional<SessionChanges> getNow(String sessionId) {
        return readNow(sessionId);
    }

    public Uni<List<SessionChanges>> list() {
        return listAll();
    }

    Instant currentTime() {
        return now();
    }
}
