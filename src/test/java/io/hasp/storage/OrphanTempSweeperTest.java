package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.lock.FileLockService;
import io.smallrye.mutiny.Uni;

class OrphanTempSweeperTest {

    @TempDir
    Path root;

    private final FileLockService locks = mock(FileLockService.class);

    @Test
    void removesOldTempFilesWhoseTargetIsUnlockedAndNothingElse() throws IOException {
        Path queues = Files.createDirectories(root.resolve("queues"));
        Path unlockedTarget = queues.resolve("a.json");
        Path lockedTarget = queues.resolve("b.json");
        Path orphan = aged(queues.resolve(".a.json.tmp.1111111111111111"), Duration.ofMinutes(5));
        Path heldByWriter = aged(queues.resolve(".b.json.tmp.2222222222222222"), Duration.ofMinutes(5));
        Path young = aged(queues.resolve(".a.json.tmp.3333333333333333"), Duration.ofSeconds(5));
        Path record = aged(unlockedTarget, Duration.ofMinutes(5));
        Path lockFile = aged(queues.resolve("b.json.lock"), Duration.ofMinutes(5));
        Path nested = aged(Files.createDirectories(root.resolve("file-changes/sessions"))
                .resolve(".s.json.tmp.4444444444444444"), Duration.ofHours(1));
        when(locks.isLocked(any())).thenAnswer(call -> Uni.createFrom().item(call.getArgument(0).equals(lockedTarget)));

        int removed = new OrphanTempSweeper(locks, Clock.systemUTC()).sweep(root);

        assertEquals(2, removed);
        assertFalse(Files.exists(orphan));
        assertFalse(Files.exists(nested));
        assertTrue(Files.exists(heldByWriter), "the target's lock is held: a writer may still own it");
        assertTrue(Files.exists(young), "younger than a minute: possibly a write in progress");
        assertTrue(Files.exists(record));
        assertTrue(Files.exists(lockFile));
    }

    @Test
    void recordsAndLockFilesNamedLikeTempFilesAreNeverRemoved() throws IOException {
        Path queues = Files.createDirectories(root.resolve("queues"));
        Path named = Files.createDirectories(root.resolve("locks"));
        List<Path> valid = List.of(queues.resolve("a.tmp.b.json"), queues.resolve("x.json.tmp.1.json"),
                queues.resolve("x.json.tmp.0123456789abcdef.json"), named.resolve("a.tmp.b.lock"),
                named.resolve("x.json.tmp.0123456789abcdef.lock"), queues.resolve("a.lock.stale.b.json"));
        for (Path file : valid) {
            aged(file, Duration.ofHours(1));
        }
        when(locks.isLocked(any())).thenReturn(Uni.createFrom().item(false));

        assertEquals(0, new OrphanTempSweeper(locks, Clock.systemUTC()).sweep(root));
        for (Path file : valid) {
            assertTrue(Files.exists(file), file.getFileName() + " is a record or a lock file, not a temp file");
        }
    }

    @Test
    void keepsTempFilesWhenTheLockStateCannotBeRead() throws IOException {
        Path orphan = aged(root.resolve(".c.json.tmp.5555555555555555"), Duration.ofMinutes(5));
        when(locks.isLocked(any())).thenReturn(Uni.createFrom().failure(new IOException("disk gone")));

        assertEquals(0, new OrphanTempSweeper(locks, Clock.systemUTC()).sweep(root));
        assertTrue(Files.exists(orphan));
    }

    @Test
    void missingRootSweepsNothing() {
        assertEquals(0, new OrphanTempSweeper(locks, Clock.systemUTC()).sweep(root.resolve("absent")));
    }

    private static Path aged(Path file, Duration age) throws IOException {
        if (!Files.exists(file)) {
            Files.writeString(file, "{}");
        }
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(age)));
        return file;
    }
}
