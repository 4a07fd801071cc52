package io.hasp.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.PlantedLocks;
import io.hasp.storage.DataDirectory;
import io.hasp.storage.OrphanTempSweeper;

/** {@link StartupRecoveryCheck}, and {@link StartupRecovery}, the start-up steps that report to it. */
class StartupRecoveryCheckTest {

    @TempDir
    Path temp;

    private final LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine()
            .withStaleAfter(Duration.ofSeconds(2)));

    @AfterEach
    void close() {
        engine.close();
    }

    private StartupRecovery recovery(Path data, StartupRecoveryCheck check) {
        return new StartupRecovery(new DataDirectory(data), engine, new OrphanTempSweeper(engine, Clock.systemUTC()), check);
    }

    @Test
    void downUntilRecoveryIsMarkedThenUp() {
        StartupRecoveryCheck check = new StartupRecoveryCheck();
        assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());

        check.markRecovered();

        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
        assertEquals(StartupRecoveryCheck.NAME, check.call().getName());
    }

    @Test
    void markingRecoveredTwiceStaysUp() {
        StartupRecoveryCheck check = new StartupRecoveryCheck();
        check.markRecovered();
        check.markRecovered();

        assertEquals(HealthCheckResponse.Status.UP, check.call().getStatus());
    }

    @Test
    void startupCreatesAMissingDataDirectoryAndMarksRecovery() {
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertTrue(recovery(temp.resolve("a/../nested/data"), check).recover());

        assertTrue(Files.isDirectory(temp.resolve("nested/data")));
        assertTrue(check.isRecovered());
    }

    @Test
    void startupKeepsAnExistingDataDirectoryAndItsFiles() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        Path record = Files.writeString(data.resolve("tokens.json"), "{}");
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertTrue(recovery(data, check).recover());

        assertEquals("{}", Files.readString(record));
        assertTrue(check.isRecovered());
    }

    @Test
    void startupThatCannotCreateTheDirectoryLeavesTheProbeDown() throws IOException {
        Path blocker = Files.writeString(temp.resolve("file"), "a regular file where a directory should be");
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertFalse(recovery(blocker.resolve("data"), check).recover());

        assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());
    }

    @Test
    void startupBreaksLocksOfDeadProcessesThenRemovesTheTempFilesTheyCovered() throws Exception {
        Path data = Files.createDirectories(temp.resolve("data/queues"));
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        // a writer that crashed between its temp file and the rename, holding the record's lock
        Files.writeString(data.resolve("q1.json.lock"), PlantedLocks.localHolder(dead.pid()));
        Path orphan = Files.writeString(data.resolve(".q1.json.tmp.0123456789abcdef"), "{\"half\": ");
        Files.setLastModifiedTime(orphan, FileTime.from(Instant.now().minus(Duration.ofMinutes(5))));
        Path record = Files.writeString(data.resolve("q1.json"), "{}");
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertTrue(recovery(temp.resolve("data"), check).recover());

        assertFalse(Files.exists(data.resolve("q1.json.lock")), "the dead writer's lock is broken");
        assertFalse(Files.exists(orphan), "and its orphaned temp file removed, in the same start-up");
        assertEquals("{}", Files.readString(record), "the record itself is untouched");
        assertTrue(check.isRecovered());
    }
}
