package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockResult;
import io.hasp.queue.NewCommandRequest;
import io.hasp.queue.QueueRepository;

/**
 * Group commit (issue 7): concurrent changes of one record in one JVM share one write; no caller is answered before
 * the write that holds its change; a change that fails its own check fails alone.
 */
class GroupCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private LockFileEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** Counters whose every whole write is counted and, while {@link #gate} is closed, held back. */
    static final class GatedCounters extends BaseFileRepository<BaseFileRepositoryTest.Counter> {
        final AtomicInteger writes = new AtomicInteger();
        volatile CountDownLatch gate = new CountDownLatch(0);
        private final Path dir;

        GatedCounters(LockFileEngine locks, Path dir) {
            super(locks, new AtomicWriter(TestJson.mapper()), TestJson.mapper(), Clock.systemUTC(),
                    BaseFileRepositoryTest.Counter.class, LockOptions.defaults().withTimeout(WAIT),
                    TestConfig.records(), null);
            this.dir = dir;
        }

        Path file(String id) {
            return dir.resolve(id + RECORD_SUFFIX);
        }

        @Override
        protected void writeNow(Path file, BaseFileRepositoryTest.Counter record) {
            writes.incrementAndGet();
            try {
                gate.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            super.writeNow(file, record);
        }

        CompletableFuture<BaseFileRepositoryTest.Counter> add(String id, long delta, OptionalLong expected) {
            return computeWithLock(file(id), expected, 0, current -> {
                if (delta < 0) {
                    throw new IllegalStateException("refused by its own check");
                }
                return Modification.write(new BaseFileRepositoryTest.Counter(id, 0,
                        current.map(BaseFileRepositoryTest.Counter::value).orElse(0L) + delta), stored -> stored);
            }).subscribeAsCompletionStage();
        }
    }

    private GatedCounters counters() {
        engine = new LockFileEngine(TestConfig.lockEngine());
        return new GatedCounters(engine, dir);
    }

    @Test
    void concurrentChangesShareOneWriteAndAreAnsweredOnlyAfterIt() throws Exception {
        GatedCounters repo = counters();
        repo.gate = new CountDownLatch(1);
        CompletableFuture<BaseFileRepositoryTest.Counter> first = repo.add("c", 1, OptionalLong.empty());
        Awaitility.await().atMost(WAIT).until(() -> repo.writes.get() == 1);
        List<CompletableFuture<BaseFileRepositoryTest.Counter>> rest = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            rest.add(repo.add("c", 1, OptionalLong.empty()));
        }
        // time is the subject: nobody may be answered while the write holding its change is not done
        Awaitility.await().during(Duration.ofMillis(300)).atMost(WAIT)
                .until(() -> !first.isDone() && rest.stream().noneMatch(CompletableFuture::isDone));

        repo.gate.countDown();

        long firstVersion = first.get(30, TimeUnit.SECONDS).version();
        for (CompletableFuture<BaseFileRepositoryTest.Counter> f : rest) {
            f.get(30, TimeUnit.SECONDS);
        }
        assertEquals(2, repo.writes.get(), "the 20 changes that queued behind the first were written at once");
        BaseFileRepositoryTest.Counter stored = TestJson.mapper().readValue(Files.readAllBytes(repo.file("c")),
                BaseFileRepositoryTest.Counter.class);
        assertEquals(21, stored.value(), "every change kept");
        assertEquals(firstVersion + 20, stored.version(), "one version per change");
    }

    @Test
    void aChangeThatFailsItsOwnCheckFailsAloneWhileItsBatchMatesSucceed() throws Exception {
        GatedCounters repo = counters();
        repo.gate = new CountDownLatch(1);
        CompletableFuture<BaseFileRepositoryTest.Counter> first = repo.add("c", 1, OptionalLong.empty());
        Awaitility.await().atMost(WAIT).until(() -> repo.writes.get() == 1);
        List<CompletableFuture<BaseFileRepositoryTest.Counter>> good = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            good.add(repo.add("c", 1, OptionalLong.empty()));
        }
        CompletableFuture<BaseFileRepositoryTest.Counter> stale = repo.add("c", 1, OptionalLong.of(1));
        CompletableFuture<BaseFileRepositoryTest.Counter> refused = repo.add("c", -1, OptionalLong.empty());
        for (int i = 0; i < 10; i++) {
            good.add(repo.add("c", 1, OptionalLong.empty()));
        }

        repo.gate.countDown();

        first.get(30, TimeUnit.SECONDS);
        for (CompletableFuture<BaseFileRepositoryTest.Counter> f : good) {
            f.get(30, TimeUnit.SECONDS);
        }
        ExecutionException conflict = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> stale.get(30, TimeUnit.SECONDS));
        assertInstanceOf(VersionConflictException.class, conflict.getCause());
        ExecutionException own = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> refused.get(30, TimeUnit.SECONDS));
        assertInstanceOf(IllegalStateException.class, own.getCause());
        assertEquals(2, repo.writes.get(), "the failing changes did not split the batch");
        assertEquals(21, TestJson.mapper().readValue(Files.readAllBytes(repo.file("c")),
                BaseFileRepositoryTest.Counter.class).value(), "the 20 good changes and the first are kept");
    }

    @Test
    void appendsWaitingForAQueuesLockLandAsOneJournalEntry() throws Exception {
        engine = new LockFileEngine(TestConfig.lockEngine());
        RecordSettings d = TestConfig.records();
        // no folding of the journal while the test counts its entries
        RecordSettings keepJournal = new RecordSettings(d.linger(), d.batchMax(), d.batchMaxBytes(),
                Duration.ofMinutes(5), d.cacheSize());
        FileStores stores = new FileStores(engine, dir).withLockOptions(LockOptions.defaults().withTimeout(WAIT))
                .withSettings(keepJournal);
        QueueRepository queues = new QueueRepository(stores, TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        queues.create("q", "Q").await().atMost(WAIT);
        queues.addCommand("q", new NewCommandRequest("first", "run", null), OptionalLong.empty()).await()
                .atMost(WAIT);
        Path journal = dir.resolve("queues/q.json.journal");
        long linesBefore = Files.readAllLines(journal).size();
        // another engine (another process, as far as locks go) holds the queue while 30 appends arrive
        LockFileEngine other = new LockFileEngine(TestConfig.lockEngine());
        try {
            LockHandle held = ((LockResult.Acquired) other.acquire(dir.resolve("queues/q.json"), LockOptions.defaults()
                    .withTimeout(WAIT)).await().atMost(WAIT)).handle();
            List<CompletableFuture<?>> appends = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                appends.add(queues.addCommand("q", new NewCommandRequest("c" + i, "run", null), OptionalLong.empty())
                        .subscribeAsCompletionStage());
            }
            held.release().await().atMost(WAIT);
            for (CompletableFuture<?> f : appends) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            other.close();
        }
        assertEquals(31, queues.get("q").await().atMost(WAIT).orElseThrow().commands().size());
        long entries = Files.readAllLines(journal).size() - linesBefore;
        assertTrue(entries >= 1 && entries <= 2, "30 appends that waited together took " + entries + " journal "
                + "entries (one write and one fsync each)");
    }
}
