package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
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
import io.hasp.lock.LockResult;
import io.hasp.lock.MockFileLockService;
import io.smallrye.mutiny.Uni;

class BaseFileRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private final MockFileLockService mock = new MockFileLockService();
    private LockFileEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** A minimal record kind: a counter. */
    record Counter(String id, long version, long value) implements Versioned<Counter> {
        @Override
        public Counter withVersion(long newVersion) {
            return new Counter(id, newVersion, value);
        }
    }

    /** Exposes the protected operations to the tests, with the usual shapes of a change built on them. */
    static final class Counters extends BaseFileRepository<Counter> {
        Counters(FileLockService locks, Path dir) {
            this(locks, dir, TestConfig.records());
        }

        Counters(FileLockService locks, Path dir, RecordSettings settings) {
            super(locks, new AtomicWriter(TestJson.mapper()), TestJson.mapper(), Clock.systemUTC(), Counter.class,
                    TestConfig.lockOptions().withTimeout(Duration.ofSeconds(20)).withMaxRetries(10_000), settings,
                    null);
            this.dir = dir;
        }

        private final Path dir;

        Path file(String id) {
            return SafeNames.resolve(dir, "id", id, RECORD_SUFFIX);
        }

        <R> Uni<R> computeWithLock(Path file, OptionalLong expected, Function<Optional<Counter>,
                Modification<Counter, R>> modifier) {
            return computeWithLock(file, expected, 0, modifier);
        }

        Uni<Counter> modifyWithLock(Path file, OptionalLong expected, Function<Optional<Counter>, Counter> modifier) {
            return computeWithLock(file, expected, current -> Modification.write(modifier.apply(current), s -> s));
        }

        Uni<Counter> writeWithLock(Path file, Counter record, OptionalLong expected) {
            return computeWithLock(file, expected, current -> Modification.write(record, s -> s));
        }

        Uni<Boolean> deleteWithLock(Path file, OptionalLong expected) {
            return computeWithLock(file, expected, current -> Modification.<Counter, Boolean>delete(r -> r != null));
        }

        Uni<Counter> add(String id, long delta, OptionalLong expected) {
            return modifyWithLock(file(id), expected,
                    current -> new Counter(id, 0, current.map(Counter::value).orElse(0L) + delta));
        }

        Uni<Optional<Counter>> get(String id) {
            return read(file(id));
        }

        Uni<Boolean> remove(String id) {
            return deleteWithLock(file(id), OptionalLong.empty());
        }

        /** Adds {@code delta}, but the modifier waits for {@code go} after saying it entered. */
        Uni<Counter> addWhenTold(String id, long delta, CountDownLatch entered, CountDownLatch go) {
            return modifyWithLock(file(id), OptionalLong.empty(), current -> {
                entered.countDown();
                try {
                    go.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return new Counter(id, 0, current.map(Counter::value).orElse(0L) + delta);
            });
        }
    }

    /** With the mock lock service and no lingering: every change takes and gives back the lock itself. */
    private Counters withMock() {
        RecordSettings d = TestConfig.records();
        return new Counters(mock, dir, new RecordSettings(Duration.ZERO, d.batchMax(), d.batchMaxBytes(),
                d.compactAfterIdle(), d.cacheSize()));
    }

    private Counters withEngine() {
        engine = new LockFileEngine(TestConfig.lockEngine().withRetryCap(Duration.ofMillis(20)));
        return new Counters(engine, dir);
    }

    @Test
    void modifyStoresTheNewRecordWithVersionPlusOne() {
        Counters repo = withMock();

        Counter first = repo.add("c", 5, OptionalLong.empty()).await().atMost(WAIT);
        Counter second = repo.add("c", 2, OptionalLong.empty()).await().atMost(WAIT);

        assertEquals(first.version() + 1, second.version());
        assertEquals(7, repo.get("c").await().atMost(WAIT).orElseThrow().value());
        // two changes in a row may share one hold of the lock (group commit); every hold ends with a release
        org.awaitility.Awaitility.await("every lock taken was given back").atMost(WAIT)
                .until(() -> mock.releaseCount(repo.file("c")) == mock.grantCount(repo.file("c"))
                        && mock.grantCount(repo.file("c")) >= 1);
    }

    @Test
    void aRecordCreatedAgainAfterItsDeleteNeverRepeatsAVersionOfTheOldOne() {
        Counters repo = withMock();
        Set<Long> versions = new HashSet<>();
        for (int incarnation = 0; incarnation < 3; incarnation++) {
            for (int change = 0; change < 5; change++) {
                long v = repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT).version();
                assertTrue(versions.add(v), "version " + v + " was already used by an earlier incarnation");
            }
            assertTrue(repo.remove("c").await().atMost(WAIT));
        }
        assertTrue(versions.stream().allMatch(v -> v < 1L << 53), "versions stay exact in JavaScript: " + versions);
    }

    @Test
    void staleExpectedVersionFailsAndChangesNothing() throws IOException {
        Counters repo = withMock();
        long created = repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT).version();
        String before = Files.readString(repo.file("c"));

        VersionConflictException e = assertThrows(VersionConflictException.class,
                () -> repo.add("c", 1, OptionalLong.of(7)).await().atMost(WAIT));

        assertEquals(created, e.actual());
        assertEquals(before, Files.readString(repo.file("c")));
        assertEquals(created + 1, repo.add("c", 1, OptionalLong.of(created)).await().atMost(WAIT).version(),
                "the right one passes");
    }

    @Test
    void aFailingModifierWritesNothingAndReleasesTheLock() throws IOException {
        Counters repo = withMock();
        repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT);
        String before = Files.readString(repo.file("c"));

        assertThrows(IllegalStateException.class, () -> repo.modifyWithLock(repo.file("c"), OptionalLong.empty(),
                current -> {
                    throw new IllegalStateException("refused");
                }).await().atMost(WAIT));

        assertEquals(before, Files.readString(repo.file("c")));
        org.awaitility.Awaitility.await("the lock was given back").atMost(WAIT)
                .until(() -> mock.grantCount(repo.file("c")) == mock.releaseCount(repo.file("c")));
    }

    @Test
    void anUnchangedModificationDoesNotWriteOrBumpTheVersion() throws IOException {
        Counters repo = withMock();
        repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT);
        String before = Files.readString(repo.file("c"));

        String answer = repo.computeWithLock(repo.file("c"), OptionalLong.empty(),
                current -> Modification.<Counter, String>unchanged("kept")).await().atMost(WAIT);

        assertEquals("kept", answer);
        assertEquals(before, Files.readString(repo.file("c")));
    }

    @Test
    void computeAnswersFromTheStoredRecord() {
        Counters repo = withMock();

        Long version = repo.computeWithLock(repo.file("c"), OptionalLong.empty(),
                current -> Modification.write(new Counter("c", 99, 3), Counter::version)).await().atMost(WAIT);

        assertEquals(repo.get("c").await().atMost(WAIT).orElseThrow().version(), version,
                "the answer sees the version the repository set, not the modifier's");
        assertNotEquals(99L, version);
    }

    @Test
    void lockTimeoutFailsWithLockExceptionAndNeverRunsTheModifier() throws IOException {
        Counters repo = withMock();
        long created = repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT).version();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !mock.isLocked(repo.file("c")).await().atMost(WAIT));
        mock.setLockBehavior(repo.file("c"), MockFileLockService.Behavior.TIMEOUT);
        AtomicInteger calls = new AtomicInteger();

        LockException e = assertThrows(LockException.class, () -> repo.modifyWithLock(repo.file("c"),
                OptionalLong.empty(), current -> {
                    calls.incrementAndGet();
                    return current.orElseThrow();
                }).await().atMost(WAIT));

        assertEquals(LockResult.Reason.TIMEOUT, e.failure().reason());
        assertEquals(0, calls.get());
        assertEquals(created, repo.get("c").await().atMost(WAIT).orElseThrow().version());
    }

    @Test
    void lockErrorFailsTheDelete() {
        Counters repo = withMock();
        repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT);
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> !mock.isLocked(repo.file("c")).await().atMost(WAIT));
        mock.setLockBehavior(repo.file("c"), MockFileLockService.Behavior.ERROR);

        LockException e = assertThrows(LockException.class,
                () -> repo.deleteWithLock(repo.file("c"), OptionalLong.empty()).await().atMost(WAIT));

        assertEquals(LockResult.Reason.ERROR, e.failure().reason());
        assertTrue(Files.exists(repo.file("c")));
    }

    @Test
    void deleteAnswersWhetherTheRecordExistedAndHonoursTheVersion() {
        Counters repo = withMock();
        long created = repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT).version();

        assertThrows(VersionConflictException.class,
                () -> repo.deleteWithLock(repo.file("c"), OptionalLong.of(4)).await().atMost(WAIT));
        assertTrue(repo.deleteWithLock(repo.file("c"), OptionalLong.of(created)).await().atMost(WAIT));
        assertFalse(repo.deleteWithLock(repo.file("c"), OptionalLong.empty()).await().atMost(WAIT));
        assertFalse(Files.exists(repo.file("c")));
    }

    @Test
    void writeWithLockReplacesWhateverWasThere() {
        Counters repo = withMock();
        long created = repo.add("c", 1, OptionalLong.empty()).await().atMost(WAIT).version();

        Counter stored = repo.writeWithLock(repo.file("c"), new Counter("c", 0, 40), OptionalLong.empty())
                .await().atMost(WAIT);

        assertEquals(new Counter("c", created + 1, 40), stored);
        assertEquals(stored, repo.get("c").await().atMost(WAIT).orElseThrow());
    }

    @Test
    void listingConsidersOnlyJsonRecordsWithSafeNames() throws IOException {
        Counters repo = withMock();
        repo.add("a", 1, OptionalLong.empty()).await().atMost(WAIT);
        repo.add("b", 2, OptionalLong.empty()).await().atMost(WAIT);
        Files.writeString(dir.resolve("a.json.lock"), "{\"pid\":1,\"timestamp\":\"x\",\"hostname\":\"h\"}");
        Files.writeString(dir.resolve(".a.json.fence"), "");
        Files.writeString(dir.resolve(".b.json.tmp.0123456789abcdef"), "{\"id\":\"torn");
        Files.writeString(dir.resolve("notes.txt"), "hello");
        Files.writeString(dir.resolve("broken.json"), "{not json");

        List<Counter> all = repo.listAll(dir).await().atMost(WAIT);

        assertEquals(List.of("a", "b"), all.stream().map(Counter::id).toList());
        assertEquals(List.of(), repo.listAll(dir.resolve("absent")).await().atMost(WAIT));
    }

    @Test
    void manyThreadsModifyingOneRecordLoseNoUpdateWithTheLockFileEngine() {
        Counters repo = withEngine();
        List<UnaryOperator<Long>> increments = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            increments.add(n -> n + 1);
        }
        Function<UnaryOperator<Long>, Uni<?>> modify = increment -> repo.add("shared", 1, OptionalLong.empty());
        AtomicLong initial = new AtomicLong();

        ConcurrencyHelpers.UpdateCheck<Long> check = ConcurrencyHelpers.verifyNoLostUpdates(0L, increments,
                () -> repo.get("shared").map(c -> c.map(Counter::value).orElse(-1L)),
                value -> repo.writeWithLock(repo.file("shared"), new Counter("shared", 0, value),
                        OptionalLong.empty()).invoke(c -> initial.set(c.version())).replaceWithVoid(),
                modify).await().atMost(Duration.ofSeconds(60));

        assertTrue(check.success(), () -> "expected " + check.expected() + " but was " + check.actual());
        assertEquals(initial.get() + 64, repo.get("shared").await().atMost(WAIT).orElseThrow().version(),
                "one version per change: 64 increments after the initial write");
    }

    @Test
    void anUnlockedReadModifyWriteDoesLoseUpdates() {
        // The control experiment: the same increments without the repository's lock lose some, so the test above
        // proves something.
        Counters repo = withMock();
        List<UnaryOperator<Long>> increments = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            increments.add(n -> n + 1);
        }
        AtomicInteger lost = new AtomicInteger();
        for (int round = 0; round < 5 && lost.get() == 0; round++) {
            ConcurrencyHelpers.UpdateCheck<Long> check = ConcurrencyHelpers.verifyNoLostUpdates(0L, increments,
                    () -> repo.get("unguarded").map(c -> c.map(Counter::value).orElse(0L))
                            .onItem().delayIt().by(Duration.ofMillis(1)),
                    value -> Uni.createFrom().item(() -> {
                        repo.writer.writeJson(repo.file("unguarded"), new Counter("unguarded", 1, value));
                        return (Void) null;
                    })).await().atMost(Duration.ofSeconds(60));
            if (!check.success()) {
                lost.incrementAndGet();
            }
        }
        assertTrue(lost.get() > 0, "without a lock, concurrent read-modify-writes lose updates");
    }

    @Test
    void aCallerThatGoesAwayDoesNotLetTheNextWriterInBeforeItsWriteEnds() throws Exception {
        // issue 8, defect 2: Quarkus cancels a request's Uni when the client disconnects
        Counters counters = withEngine();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        var first = counters.addWhenTold("c", 1, entered, go).subscribe().with(c -> { }, f -> { });
        assertTrue(entered.await(20, TimeUnit.SECONDS), "the first modifier runs");
        first.cancel();
        var second = counters.add("c", 10, OptionalLong.empty()).subscribeAsCompletionStage();
        // give a wrongly released lock the chance to let the second writer in first: nothing to wait on but time
        Thread.sleep(300); // time is the subject
        go.countDown();
        second.toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertEquals(11, counters.get("c").await().atMost(WAIT).orElseThrow().value(), "both updates kept");
    }

    @Test
    void aWriterWhoseLockWasBrokenMeanwhileWritesNothing() throws Exception {
        // issue 8, defect 11: a holder paused past stale-after is broken by another host, which then writes; the
        // paused holder must not rename its stale copy over that newer write when it resumes
        Counters counters = withEngine();
        counters.add("c", 1, OptionalLong.empty()).await().atMost(WAIT);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch go = new CountDownLatch(1);
        var paused = counters.addWhenTold("c", 1, entered, go).subscribeAsCompletionStage();
        assertTrue(entered.await(20, TimeUnit.SECONDS), "the modifier runs under the lock");
        Path lock = counters.file("c").resolveSibling("c.json.lock");
        Path aside = dir.resolve("broken-by-another-host");
        Files.move(lock, aside);
        Files.writeString(lock, "{\"pid\": 7, \"timestamp\": \"2026-01-01T00:00:00Z\", \"hostname\": \"elsewhere\"}");
        Files.writeString(counters.file("c"), "{\"id\": \"c\", \"version\": 9, \"value\": 100}");

        go.countDown();

        assertThrows(Exception.class, () -> paused.toCompletableFuture().get(20, TimeUnit.SECONDS),
                "the write fails: its lock was lost");
        assertEquals(100, TestJson.mapper().readValue(Files.readAllBytes(counters.file("c")), Counter.class).value(),
                "the newer write is intact");
        Files.delete(lock);
    }
    @Test
    void aRecordReplacedByAnotherProcessIsReadAgainEvenWhenItsInodeMtimeAndSizeRepeat() throws Exception {
        // ext4 hands freed inode numbers out again (the lowest free first), and where the kernel stamps files with a
        // coarse clock two writes within one tick get the same mtime: (inode, mtime, size) can then repeat across
        // versions of a record. Here another process (this test) replaces the record twice by rename, as the atomic
        // writer does, the second time with a file that got the first version's freed inode, the same size and the
        // first mtime: this JVM's cached copy must not be taken for the file's content.
        Counters counters = withMock();
        Path f = counters.file("c");
        counters.writeWithLock(f, new Counter("c", 0, 1), OptionalLong.empty()).await().atMost(WAIT);
        assertEquals(1, counters.get("c").await().atMost(WAIT).orElseThrow().value(), "this JVM's copy is cached");
        FileTime mtime = Files.getLastModifiedTime(f);
        Object inode = Files.readAttributes(f, BasicFileAttributes.class).fileKey();
        String first = Files.readString(f);
        long version = TestJson.mapper().readValue(first, Counter.class).version();
        UnaryOperator<String> next = v -> first.replace("\"version\" : " + version, "\"version\" : " + (version + 2))
                .replace("\"value\" : 1", "\"value\" : 3");

        new AtomicWriter(TestJson.mapper()).write(f, first.replace("\"value\" : 1", "\"value\" : 2"));
        // the first version's inode is free now, unless someone keeps it open: take it for the next version
        Path spares = Files.createDirectories(dir.resolve("spares"));
        Path reused = null;
        for (int i = 0; i < 2000 && reused == null; i++) {
            Path spare = Files.createFile(f.resolveSibling(".spare-" + i));
            if (inode.equals(Files.readAttributes(spare, BasicFileAttributes.class).fileKey())) {
                reused = spare;
            } else {
                Files.move(spare, spares.resolve(spare.getFileName()));
            }
        }
        Path version3 = reused != null ? reused : f.resolveSibling(".version-3");
        Files.writeString(version3, next.apply(first));
        Files.setLastModifiedTime(version3, mtime);
        Files.move(version3, f, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(first.length(), Files.size(f), "the same size");
        assertEquals(mtime, Files.getLastModifiedTime(f), "the same mtime");

        assertEquals(3, counters.get("c").await().atMost(WAIT).orElseThrow().value(),
                "a read sees the other process' last write (its inode is the first version's: " + (reused != null)
                        + ")");
        assertEquals(13, counters.add("c", 10, OptionalLong.empty()).await().atMost(WAIT).value(),
                "a change applies to the other process' last write");
    }
}
