package io.hasp.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockException;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;
import io.hasp.lock.MockFileLockService;
import io.hasp.storage.FileStores;
import io.hasp.storage.RecordSettings;
import io.hasp.storage.InvalidNameException;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.TestClock;
import io.hasp.storage.TestJson;

class QueueRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final LockOptions OPTIONS =
            LockOptions.defaults().withTimeout(Duration.ofSeconds(20)).withMaxRetries(10_000);

    @TempDir
    Path data;

    private final TestClock clock = new TestClock(Instant.parse("2026-01-31T10:00:00Z"));
    private LockFileEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** No lingering: every change takes and gives back the lock itself, as the mock's controls expect. */
    private QueueRepository repository(FileLockService locks) {
        RecordSettings d = TestConfig.records();
        FileStores stores = new FileStores(locks, data).withClock(clock).withLockOptions(OPTIONS)
                .withSettings(new RecordSettings(Duration.ZERO, d.batchMax(), d.batchMaxBytes(), d.compactAfterIdle(),
                        d.cacheSize()));
        return new QueueRepository(stores, TestJson.mapper(), clock, TestConfig.defaults());
    }

    private QueueRepository withEngine() {
        engine = new LockFileEngine(TestConfig.lockEngine().withRetryCap(Duration.ofMillis(20)));
        return repository(engine);
    }

    private static NewCommandRequest cmd(String id) {
        return new NewCommandRequest(id, "echo " + id, null);
    }

    @Test
    void createdQueueIsStoredUnderQueuesAndASecondCreateConflicts() {
        QueueRepository queues = repository(new MockFileLockService());

        Queue q = queues.create("q1", "First").await().atMost(WAIT);

        assertEquals(micros(clock.instant()), q.version(), "a new record's version is its creation time in µs");
        assertTrue(Files.exists(data.resolve("queues/q1.json")));
        assertThrows(RecordConflictException.class, () -> queues.create("q1", "Again").await().atMost(WAIT));
        assertEquals("First", queues.get("q1").await().atMost(WAIT).orElseThrow().name());
    }

    @Test
    void unsafeIdsAreRefusedBeforeAnyFileIsTouched() {
        QueueRepository queues = repository(new MockFileLockService());

        assertThrows(InvalidNameException.class, () -> queues.create("../escape", "x"));
        assertThrows(InvalidNameException.class, () -> queues.get("a/b"));
        assertTrue(!Files.exists(data.resolve("queues")) && !Files.exists(data.resolve("escape.json")));
    }

    @Test
    void commandsAreAddedUpdatedMovedAndRemoved() {
        QueueRepository queues = repository(new MockFileLockService());
        long created = queues.create("q", "Q").await().atMost(WAIT).version();
        for (String id : List.of("a", "b", "c")) {
            queues.addCommand("q", cmd(id), OptionalLong.empty()).await().atMost(WAIT);
        }

        Queue moved = queues.moveCommand("q", "c", 0, OptionalLong.empty()).await().atMost(WAIT);
        assertEquals(List.of("c", "a", "b"), moved.commands().stream().map(Command::id).toList());

        Command updated = queues.updateCommand("q", "a", new CommandPatch("echo A", null, null, null, null),
                OptionalLong.of(moved.version())).await().atMost(WAIT);
        assertEquals("echo A", updated.command());

        Queue removed = queues.removeCommand("q", "b", OptionalLong.empty()).await().atMost(WAIT);
        assertEquals(List.of("c", "a"), removed.commands().stream().map(Command::id).toList());
        assertEquals(created + 6, removed.version(), "three adds, move, update, remove: one version each");

        assertThrows(IllegalArgumentException.class,
                () -> queues.moveCommand("q", "a", 2, OptionalLong.empty()).await().atMost(WAIT));
        assertThrows(RecordNotFoundException.class,
                () -> queues.removeCommand("q", "zz", OptionalLong.empty()).await().atMost(WAIT));
        assertThrows(RecordConflictException.class,
                () -> queues.addCommand("q", cmd("a"), OptionalLong.empty()).await().atMost(WAIT));
        assertThrows(RecordNotFoundException.class,
                () -> queues.addCommand("nope", cmd("a"), OptionalLong.empty()).await().atMost(WAIT));
    }

    @Test
    void claimHandsOutPendingCommandsInOrderThenNothing() {
        QueueRepository queues = repository(new MockFileLockService());
        queues.create("q", "Q").await().atMost(WAIT);
        queues.addCommand("q", cmd("a"), OptionalLong.empty()).await().atMost(WAIT);
        queues.addCommand("q", cmd("b"), OptionalLong.empty()).await().atMost(WAIT);

        Command first = queues.claim("q", "r1", Duration.ofSeconds(30)).await().atMost(WAIT).orElseThrow();
        Command second = queues.claim("q", "r2", Duration.ofSeconds(30)).await().atMost(WAIT).orElseThrow();
        Optional<Command> none = queues.claim("q", "r3", Duration.ofSeconds(30)).await().atMost(WAIT);

        assertEquals("a", first.id());
        assertEquals(CommandStatus.RUNNING, first.status());
        assertEquals("r1", first.claimedBy());
        assertEquals(clock.instant().plusSeconds(30), first.claimExpiresAt());
        assertEquals("b", second.id());
        assertTrue(none.isEmpty());
    }

    @Test
    void anExpiredClaimGoesBackToPendingAndTheLateRunnerCannotCompleteIt() {
        QueueRepository queues = repository(new MockFileLockService());
        queues.create("q", "Q").await().atMost(WAIT);
        queues.addCommand("q", cmd("a"), OptionalLong.empty()).await().atMost(WAIT);
        queues.claim("q", "slow", Duration.ofSeconds(1)).await().atMost(WAIT).orElseThrow();

        clock.advance(Duration.ofMillis(999));
        assertEquals(0, queues.releaseExpiredClaims().await().atMost(WAIT), "not expired yet");
        clock.advance(Duration.ofMillis(1));
        assertEquals(1, queues.releaseExpiredClaims().await().atMost(WAIT));
        Command back = queues.get("q").await().atMost(WAIT).orElseThrow().commands().get(0);
        assertEquals(CommandStatus.PENDING, back.status());

        Command again = queues.claim("q", "fast", Duration.ofSeconds(30)).await().atMost(WAIT).orElseThrow();
        assertEquals("a", again.id());
        assertThrows(RecordConflictException.class, () -> queues.updateCommand("q", "a",
                new CommandPatch(null, null, CommandStatus.COMPLETED, null, "slow"), OptionalLong.empty())
                .await().atMost(WAIT));
        Command done = queues.updateCommand("q", "a",
                new CommandPatch(null, null, CommandStatus.COMPLETED, null, "fast"), OptionalLong.empty())
                .await().atMost(WAIT);
        assertEquals(CommandStatus.COMPLETED, done.status());
        assertEquals(null, done.claimExpiresAt());
        assertEquals(0, queues.releaseExpiredClaims().await().atMost(WAIT), "a completed command never expires");
    }

    @Test
    void claimItselfReturnsExpiredClaimsBeforeChoosing() {
        QueueRepository queues = repository(new MockFileLockService());
        queues.create("q", "Q").await().atMost(WAIT);
        queues.addCommand("q", cmd("a"), OptionalLong.empty()).await().atMost(WAIT);
        queues.claim("q", "r1", Duration.ofSeconds(5)).await().atMost(WAIT).orElseThrow();
        assertTrue(queues.claim("q", "r2", Duration.ofSeconds(5)).await().atMost(WAIT).isEmpty());

        clock.advance(Duration.ofSeconds(6));

        assertEquals("r2", queues.claim("q", "r2", Duration.ofSeconds(5)).await().atMost(WAIT).orElseThrow()
                .claimedBy());
    }

    @Test
    void lockTimeoutLeavesTheQueueUnchanged() {
        MockFileLockService mock = new MockFileLockService();
        QueueRepository queues = repository(mock);
        long created = queues.create("q", "Q").await().atMost(WAIT).version();
        Path file = data.resolve("queues").resolve("q.json");
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !mock.isLocked(file).await().atMost(WAIT));
        mock.simulateContention(file);
        mock.setLockBehavior(file, MockFileLockService.Behavior.TIMEOUT);

        LockException e = assertThrows(LockException.class,
                () -> queues.addCommand("q", cmd("a"), OptionalLong.empty()).await().atMost(WAIT));

        assertEquals(MockFileLockService.FOREIGN_PID, e.failure().holder().orElseThrow().pid());
        assertEquals(created, queues.get("q").await().atMost(WAIT).orElseThrow().version());
    }

    @Test
    void concurrentAddsLoseNoCommand() {
        QueueRepository queues = withEngine();
        List<UnaryOperator<Set<String>>> adds = new ArrayList<>();
        for (int i = 0; i < 48; i++) {
            String id = "cmd-" + i;
            adds.add(ids -> {
                Set<String> next = new HashSet<>(ids);
                next.add(id);
                return next;
            });
        }

        ConcurrencyHelpers.UpdateCheck<Set<String>> check = ConcurrencyHelpers.verifyNoLostUpdates(Set.of(), adds,
                () -> queues.get("q").map(q -> ids(q.orElseThrow())),
                initial -> queues.create("q", "Q").replaceWithVoid(),
                add -> queues.addCommand("q", cmd(add.apply(Set.of()).iterator().next()), OptionalLong.empty()))
                .await().atMost(Duration.ofSeconds(60));

        assertTrue(check.success(), () -> "missing: " + diff(check.expected(), check.actual()));
        Queue q = queues.get("q").await().atMost(WAIT).orElseThrow();
        assertEquals(48, q.commands().size());
        assertEquals(micros(clock.instant()) + 48, q.version(), "created, then one version per add");
    }

    @Test
    void runnersDrainingOneQueueOnManyThreadsNeverShareACommand() throws InterruptedException {
        QueueRepository queues = withEngine();
        queues.create("q", "Q").await().atMost(WAIT);
        int commands = 60;
        for (int i = 0; i < commands; i++) {
            queues.addCommand("q", cmd("c" + i), OptionalLong.empty()).await().atMost(WAIT);
        }
        List<Callable<List<String>>> runners = new ArrayList<>();
        for (int r = 0; r < 8; r++) {
            String runner = "runner-" + r;
            runners.add(() -> {
                List<String> mine = new ArrayList<>();
                for (int guard = 0; guard < commands + 1; guard++) {
                    Optional<Command> got = queues.claim("q", runner, Duration.ofMinutes(5)).await().atMost(WAIT);
                    if (got.isEmpty()) {
                        break;
                    }
                    assertEquals(runner, got.get().claimedBy());
                    mine.add(got.get().id());
                }
                return mine;
            });
        }

        List<ConcurrencyHelpers.Outcome<List<String>>> outcomes =
                ConcurrencyHelpers.runOnThreads(runners, Duration.ofSeconds(60));

        List<String> claimed = new ArrayList<>();
        for (ConcurrencyHelpers.Outcome<List<String>> o : outcomes) {
            assertTrue(o.succeeded(), () -> String.valueOf(o.error()));
            claimed.addAll(o.result());
        }
        assertEquals(commands, claimed.size(), "every command claimed once");
        assertEquals(commands, new HashSet<>(claimed).size(), "no command claimed twice");
        assertTrue(queues.get("q").await().atMost(WAIT).orElseThrow().commands().stream()
                .allMatch(c -> c.status() == CommandStatus.RUNNING));
    }

    @Test
    void listingIgnoresLockFenceAndTempFiles() throws Exception {
        QueueRepository queues = withEngine();
        queues.create("a", "A").await().atMost(WAIT);
        queues.create("b", "B").await().atMost(WAIT);
        Files.writeString(data.resolve("queues/a.json.lock"), "{\"pid\":1}");
        Files.writeString(data.resolve("queues/.c.json.tmp.0123456789abcdef"), "{\"id\":\"c\"");

        assertEquals(List.of("a", "b"), queues.list().await().atMost(WAIT).stream().map(Queue::id).toList());
        assertTrue(queues.delete("b", OptionalLong.empty()).await().atMost(WAIT));
        assertEquals(List.of("a"), queues.list().await().atMost(WAIT).stream().map(Queue::id).toList());
    }

    private static long micros(Instant t) {
        return t.getEpochSecond() * 1_000_000L + t.getNano() / 1_000L;
    }

    private static Set<String> ids(Queue q) {
        Set<String> ids = new HashSet<>();
        q.commands().forEach(c -> ids.add(c.id()));
        return ids;
    }

    private static Set<String> diff(Set<String> expected, Set<String> actual) {
        Set<String> missing = new HashSet<>(expected);
        missing.removeAll(actual);
        return missing;
    }
}
