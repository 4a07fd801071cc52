package io.hasp.storage;

import java.nio.file.Path;
import java.time.Clock;

import io.hasp.TestConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;

/**
 * The one way tests build file record stores without CDI: every kind's store under one data directory, with one lock
 * service, clock, lock options and record settings (by default: the system clock, {@link Engines#PATIENT} and the
 * defaults of {@code hasp.records.*}).
 */
public record FileStores(FileLockService locks, Path dataDir, Clock clock, LockOptions lockOptions,
                         RecordSettings settings) implements RecordStores {

    public FileStores(FileLockService locks, Path dataDir) {
        this(locks, dataDir, Clock.systemUTC(), Engines.PATIENT, TestConfig.records());
    }

    @Override
    public <T extends Versioned<T>> FileRecordStore<T> open(RecordKind<T> kind) {
        return new FileRecordStore<>(kind, locks, new AtomicWriter(TestJson.mapper()), TestJson.mapper(), clock,
                new DataDirectory(dataDir), lockOptions, settings);
    }

    public FileStores withClock(Clock value) {
        return new FileStores(locks, dataDir, value, lockOptions, settings);
    }

    public FileStores withLockOptions(LockOptions value) {
        return new FileStores(locks, dataDir, clock, value, settings);
    }

    public FileStores withSettings(RecordSettings value) {
        return new FileStores(locks, dataDir, clock, lockOptions, value);
    }
}
