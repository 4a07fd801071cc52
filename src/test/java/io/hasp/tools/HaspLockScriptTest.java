package io.hasp.tools;

import static io.hasp.http.Auth.admin;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.http.Auth;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * {@code scripts/hasp-lock} as users run it: real processes, started from another directory, against this test's
 * Hasp. Leases are short (1.5 s) so that the command outlives several of them within a few seconds. The compiled
 * program is cached in a directory of this class; one test runs without a usable cache (the source launcher).
 */
@QuarkusTest
class HaspLockScriptTest {

    private static final Path SCRIPT = Path.of("scripts", "hasp-lock").toAbsolutePath();
    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String LEASE = "1500ms";

    @TestHTTPResource("/")
    URL base;

    @TempDir
    static Path cache;

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killLeftovers() {
        started.forEach(Process::destroyForcibly);
    }

    /** Starts hasp-lock in {@link #dir} with {@code token}; stdout and stderr go to files there. */
    private Process haspLock(String token, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(SCRIPT.toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout").toFile()).redirectError(dir.resolve("stderr").toFile());
        builder.environment().put("HASP_URL", base.toString());
        builder.environment().put("HASP_TOKEN", token);
        builder.environment().put("XDG_CACHE_HOME", cache.toString());
        Process p = builder.start();
        started.add(p);
        return p;
    }

    private static int exitOf(Process p) throws InterruptedException {
        assertTrue(p.waitFor(PATIENCE.toSeconds(), TimeUnit.SECONDS), "hasp-lock did not end");
        return p.exitValue();
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr"), StandardCharsets.UTF_8);
    }

    private static String lockName(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    private static JsonPath status(String name) {
        return admin().get("/v1/locks/{n}", name).then().statusCode(200).extract().jsonPath();
    }

    private static boolean locked(String name) {
        return status(name).getBoolean("locked");
    }

    @Test
    void theLockIsHeldPastSeveralLeasesTheCommandSeesItsTokenAndItsExitCodePassesThrough() throws Exception {
        String name = lockName("hl-run");
        Process p = haspLock(Auth.ADMIN_TOKEN, "--lease", LEASE, name, "--", "sh", "-c",
                "echo \"$HASP_LOCK_NAME $HASP_FENCING_TOKEN $HASP_LOCK_ID\" > seen; "
                        + "while [ ! -e stop ]; do sleep 0.1; done; exit 7");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("seen"))
                && !Files.readString(dir.resolve("seen")).isBlank());
        String[] seen = Files.readString(dir.resolve("seen")).trim().split(" ");
        assertEquals(name, seen[0]);
        long fencingToken = Long.parseLong(seen[1]);
        assertFalse(seen[2].isBlank(), "HASP_LOCK_ID is empty");
        assertEquals(fencingToken, status(name).getLong("holders[0].fencingToken"));
        Instant firstExpiry = Instant.parse(status(name).getString("holders[0].expiresAt"));

        // three lease lengths and more: the same grant holds the lock all along, its lease renewed
        await().during(Duration.ofMillis(4600)).atMost(PATIENCE).pollInterval(Duration.ofMillis(200))
                .until(() -> locked(name) && status(name).getLong("holders[0].fencingToken") == fencingToken);
        assertTrue(Instant.parse(status(name).getString("holders[0].expiresAt")).isAfter(firstExpiry.plusSeconds(3)),
                "the lease was not renewed");

        Files.createFile(dir.resolve("stop"));
        assertEquals(7, exitOf(p), "the command's exit code: " + stderr());
        assertFalse(locked(name), "the lock was not released when the command ended");
    }

    @Test
    void aBusyLockMeansTheCommandNeverRunsAndTheMessageNamesTheHolder() throws Exception {
        String name = lockName("hl-busy");
        String lockId = admin().body(Map.of("leaseMs", 60000)).post("/v1/locks/{n}", name).then().statusCode(201)
                .extract().path("lockId");
        JsonPath holder = status(name);

        Process p = haspLock(Auth.ADMIN_TOKEN, "--timeout", "1s", name, "--", "sh", "-c", "touch ran");

        assertEquals(75, exitOf(p));
        assertFalse(Files.exists(dir.resolve("ran")), "the command ran without the lock");
        String err = stderr();
        assertTrue(err.contains(name), err);
        assertTrue(err.contains("pid " + holder.getLong("holders[0].pid")), err);
        assertTrue(err.contains(holder.getString("holders[0].hostname")), err);
        admin().delete("/v1/locks/{n}/{id}", name, lockId).then().statusCode(204);
    }

    @Test
    void sigtermToHaspLockStopsTheCommandAndReleasesTheLock() throws Exception {
        String name = lockName("hl-term");
        Process p = haspLock(Auth.ADMIN_TOKEN, "--lease", LEASE, name, "--", "sh", "-c",
                "echo $$ > pid; while true; do sleep 0.1; done");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("pid"))
                && !Files.readString(dir.resolve("pid")).isBlank());
        long commandPid = Long.parseLong(Files.readString(dir.resolve("pid")).trim());
        assertTrue(locked(name));

        p.destroy(); // SIGTERM

        assertEquals(143, exitOf(p), stderr());
        admin().get("/v1/locks/{n}", name).then().statusCode(200).body("locked", equalTo(false));
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(commandPid).map(h -> !h.isAlive())
                .orElse(true));
    }

    @Test
    void aLostLeaseSendsSigtermToTheCommand() throws Exception {
        String name = lockName("hl-lost");
        Process p = haspLock(Auth.ADMIN_TOKEN, "--lease", LEASE, name, "--", "sh", "-c",
                "trap 'echo terminated > term; exit 3' TERM; touch started; while true; do sleep 0.1; done");
        await().atMost(PATIENCE).until(() -> Files.exists(dir.resolve("started")));

        admin().delete("/v1/locks/{n}", name).then().statusCode(204);

        assertEquals(79, exitOf(p), stderr());
        assertEquals("terminated", Files.readString(dir.resolve("term")).trim());
        assertTrue(stderr().contains("lost lock '" + name + "'"), stderr());
    }

    @Test
    void aRefusedTokenIsExit77AndTheCommandNeverRuns() throws Exception {
        Process p = haspLock("hasp_0000_not-a-token", lockName("hl-401"), "--", "sh", "-c", "touch ran");

        assertEquals(77, exitOf(p));
        assertTrue(stderr().contains("401"), stderr());
        assertFalse(Files.exists(dir.resolve("ran")));
    }

    @Test
    void badArgumentsAndAnUnreachableUrlAreClearErrors() throws Exception {
        Process noCommand = haspLock(Auth.ADMIN_TOKEN, "--lease", "soon", "x", "--", "true");
        assertEquals(64, exitOf(noCommand));
        assertTrue(stderr().contains("--lease 'soon' is not a duration"), stderr());

        ProcessBuilder unreachable = new ProcessBuilder(SCRIPT.toString(), "x", "--", "sh", "-c", "touch ran")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile());
        unreachable.environment().put("HASP_URL", "http://127.0.0.1:1");
        unreachable.environment().put("HASP_TOKEN", Auth.ADMIN_TOKEN);
        // a cache that cannot be made: the script runs the source itself
        unreachable.environment().put("XDG_CACHE_HOME", dir.resolve("stdout").resolve("cache").toString());
        Process p = unreachable.start();
        started.add(p);
        assertEquals(69, exitOf(p));
        assertTrue(Files.readString(dir.resolve("out")).contains("cannot connect to HASP_URL http://127.0.0.1:1"));
        assertFalse(Files.exists(dir.resolve("ran")));
    }
}
