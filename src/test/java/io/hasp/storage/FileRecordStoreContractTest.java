package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Clock;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.lock.LockFileEngine;

/** The record store contract on files: replicas are stores on one directory, sharing the lock engine's protocol. */
class FileRecordStoreContractTest extends AbstractRecordStoreContractTest {

    @TempDir
    Path data;

    private final LockFileEngine engine = Engines.engine();

    @AfterEach
    void close() {
        engine.close();
    }

    @Override
    protected <T extends Versioned<T>> RecordStore<T> replica(int n, RecordKind<T> kind, Clock clock) {
        return new FileStores(engine, data).withClock(clock).open(kind);
    }

    @Test
    void filesCannotBeWatched() {
        assertFalse(replica(0, COUNTERS).watch("c", () -> { }, () -> { }));
    }
}
