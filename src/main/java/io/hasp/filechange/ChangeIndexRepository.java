package io.hasp.filechange;

import java.nio.file.Path;
import java.time.Clock;
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
import io.smallrye.mutiny.Uni;

/** The derived index, {@code file-changes/index.json}, one file under one lock. */
@Singleton
public class ChangeIndexRepository extends BaseFileRepository<ChangeIndex> {

    private final Path file;

    @Inject
    public ChangeIndexRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, HaspConfig config) {
        this(locks, writer, mapper, Clock.systemUTC(), config.dataDir(), lockOptions(config));
    }

    public ChangeIndexRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                                 Path dataDir, LockOptions lockOptions) {
        super(locks, writer, mapper, clock, ChangeIndex.class, lockOptions);
        this.file = dataDir.resolve("file-changes").resolve("index.json");
    }

    Uni<ChangeIndex> modify(Function<Optional<ChangeIndex>, ChangeIndex> modifier) {
        return modifyWithLock(file, OptionalLong.empty(), modifier);
    }

    Uni<Optional<ChangeIndex>> get() {
        return read(file);
    }

    /** Blocking read without the index's lock (a read sees one whole version), for a merge's size check. */
    Optional<ChangeIndex> getNow() {
        return readNow(file);
    }
}
