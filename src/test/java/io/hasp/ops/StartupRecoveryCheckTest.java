package io.hasp.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link StartupRecoveryCheck} and the start-up step of {@link DataDirectory} that reports to it. */
class StartupRecoveryCheckTest {

    @TempDir
    Path temp;

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
        DataDirectory dir = new DataDirectory(temp.resolve("a/../nested/data"), check);

        assertTrue(dir.createAndMarkRecovered());

        assertTrue(Files.isDirectory(temp.resolve("nested/data")));
        assertEquals(temp.resolve("nested/data").toAbsolutePath(), dir.path());
        assertTrue(check.isRecovered());
    }

    @Test
    void startupKeepsAnExistingDataDirectoryAndItsFiles() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        Path record = Files.writeString(data.resolve("tokens.json"), "{}");
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertTrue(new DataDirectory(data, check).createAndMarkRecovered());

        assertEquals("{}", Files.readString(record));
        assertTrue(check.isRecovered());
    }

    @Test
    void startupThatCannotCreateTheDirectoryLeavesTheProbeDown() throws IOException {
        Path blocker = Files.writeString(temp.resolve("file"), "a regular file where a directory should be");
        StartupRecoveryCheck check = new StartupRecoveryCheck();

        assertFalse(new DataDirectory(blocker.resolve("data"), check).createAndMarkRecovered());

        assertEquals(HealthCheckResponse.Status.DOWN, check.call().getStatus());
    }
}
