package io.hasp.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.storage.DataDirectory;

/** {@link DataDirReadinessCheck} on a real directory, in each of its states. */
class DataDirReadinessCheckTest {

    private static final Duration AWAIT = Duration.ofSeconds(10);

    @TempDir
    Path temp;

    @Test
    void readyOnAWritableDirectoryWithEnoughSpaceAndLeavesNoProbeBehind() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));

        HealthCheckResponse response = check(data, 1).probe();

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertFalse(data(response).containsKey("reason"));
        assertTrue((Long) data(response).get("freeBytes") > 0);
        assertEquals(List.of(), list(data));
    }

    @Test
    void notReadyWhenTheDirectoryIsRemoved() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        DataDirReadinessCheck check = check(data, 1);
        Files.delete(data);

        HealthCheckResponse response = check.probe();

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("missing", data(response).get("reason"));
    }

    @Test
    void notReadyWhenTheDataDirIsARegularFile() throws IOException {
        Path data = Files.writeString(temp.resolve("data"), "not a directory");

        HealthCheckResponse response = check(data, 1).probe();

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("missing", data(response).get("reason"));
    }

    @Test
    void notReadyWhenTheAtomicRenameOfTheProbeFailsAndNoTempFileIsLeft() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        Path occupied = Files.createDirectories(data.resolve(DataDirReadinessCheck.PROBE_NAME).resolve("child"));

        HealthCheckResponse response = check(data, 1).probe();

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("not-writable", data(response).get("reason"));
        assertEquals(List.of(data.resolve(DataDirReadinessCheck.PROBE_NAME)), list(data));
        assertTrue(Files.isDirectory(occupied));
    }

    @Test
    void notReadyWhenFreeSpaceIsBelowTheThreshold() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));

        HealthCheckResponse response = check(data, Long.MAX_VALUE).probe();

        assertEquals(HealthCheckResponse.Status.DOWN, response.getStatus());
        assertEquals("low-free-space", data(response).get("reason"));
        assertEquals(Long.MAX_VALUE, data(response).get("minFreeBytes"));
    }

    @Test
    void responseNamesNoServerPath() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        Files.createDirectory(data.resolve(DataDirReadinessCheck.PROBE_NAME));

        HealthCheckResponse down = check(data, 1).probe();

        assertEquals(HealthCheckResponse.Status.DOWN, down.getStatus());
        data(down).values().forEach(v -> assertFalse(String.valueOf(v).contains(temp.toString()), v::toString));
        assertFalse(down.getName().contains("/"));
    }

    @Test
    void asyncCallProbesOffTheCallingThread() throws IOException {
        Path data = Files.createDirectory(temp.resolve("data"));
        String caller = Thread.currentThread().getName();
        String[] probedOn = new String[1];
        DataDirectory dir = new DataDirectory(data) {
            @Override
            public Path path() {
                probedOn[0] = Thread.currentThread().getName();
                return super.path();
            }
        };

        HealthCheckResponse response = new DataDirReadinessCheck(dir, 1).call().await().atMost(AWAIT);

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertNotEquals(caller, probedOn[0]);
    }

    private static DataDirReadinessCheck check(Path data, long minFreeBytes) {
        return new DataDirReadinessCheck(new DataDirectory(data), minFreeBytes);
    }

    private static Map<String, Object> data(HealthCheckResponse response) {
        return response.getData().orElseThrow();
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.toList();
        }
    }
}
