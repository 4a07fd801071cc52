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

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.BaseFileRepository;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/** The per-session change records, {@code file-changes/sessions/<sessionId>.json}. */
@Singleton
public class SessionChangeRepository extends BaseFileRepository<SessionChanges> {

    private final Path dir;

    @Inject
    public SessionChangeRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper,
                                   HaspConfig config) {
        this(locks, writer, mapper, Clock.systemUTC(), config.dataDir(), lockOptions(config));
    }

    public SessionChangeRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                                   Path dataDir, LockOptions lockOptions) {
        super(locks, writer, mapper, clock, SessionChanges.class, lockOptions);
        this.dir = dataDir.resolve("file-changes").resolve("sessions");
    }

    public Path path(String sessionId) {
        return SafeNames.resolve(dir, "session id", sessionId, RECORD_SUFFIX);
    }

    Uni<SessionChanges> modify(String sessionId, Function<Optional<SessionChanges>, SessionChanges> modifier) {
        return modifyWithLock(path(sessionId), OptionalLong.empty(), modifier);
    }

    public Uni<Optional<SessionChanges>> get(String sessionId) {
        return read(path(sessionId));
    }

    /** Blocking read, for the index while it holds its own lock. */
    Optional<SessionChanges> getNow(String sessionId) {
        return readNow(path(sessionId));
    }

    public Uni<List<SessionChanges>> list() {
        return listAll(dir);
    }

    Instant currentTime() {
        return now();
    }
}
