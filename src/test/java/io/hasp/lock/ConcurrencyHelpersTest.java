package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

import io.hasp.TestConfig;

/** {@link ConcurrencyHelpers}: outcomes in order, real overlap, and a lost-update check that can say no. */
class ConcurrencyHelpersTest {

    private static final Duration AWAIT = Duration.ofSeconds(20);
    private static final int WRITERS = 64;
    private static final long SEED = 20_260_131L;

    /** A shared cell read and written without any guard, as a naive file repository would. */
    private volatile int cell;

    @Test
    void runConcurrentReportsEachOutcomeInListOrder() {
        IllegalStateException boom = new IllegalStateException("boom");
        List<Supplier<Uni<String>>> ops = List.of(
                () -> Uni.createFrom().item("a").onItem().delayIt().by(Duration.ofMillis(50)),
                () -> Uni.createFrom().failure(boom),
                () -> {
                    throw new IllegalArgumentException("supplier threw");
                },
                () -> Uni.createFrom().item("d"));

        List<ConcurrencyHelpers.Outcome<String>> outcomes = ConcurrencyHelpers.runConcurrent(ops, Duration.ZERO)
                .await().atMost(AWAIT);

        assertEquals("a", outcomes.get(0).result());
        assertTrue(outcomes.get(0).succeeded());
        assertEquals(boom, outcomes.get(1).error());
        assertInstanceOf(IllegalArgumentException.class, outcomes.get(2).error());
        assertNull(outcomes.get(2).result());
        assertEquals("d", outcomes.get(3).result());
    }

    @Test
    void runConcurrentOverlapsTheOperations() {
        int n = 8;
        CountDownLatch allStarted = new CountDownLatch(n);
        List<Supplier<Uni<Boolean>>> ops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ops.add(() -> {
                allStarted.countDown();
                return Uni.createFrom().item(() -> awaitLatch(allStarted))
                        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
            });
        }

        List<ConcurrencyHelpers.Outcome<Boolean>> outcomes = ConcurrencyHelpers.runConcurrent(ops)
                .await().atMost(AWAIT);

        outcomes.forEach(o -> assertEquals(Boolean.TRUE, o.result(), "every operation saw all the others start"));
    }

    @Test
    void runConcurrentSpacesStartsByTheDelay() {
        List<Supplier<Uni<Long>>> ops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ops.add(() -> {
                return Uni.createFrom().item(System.nanoTime());
            });
        }

        long called = System.nanoTime();
        List<ConcurrencyHelpers.Outcome<Long>> outcomes = ConcurrencyHelpers.runConcurrent(ops, Duration.ofMillis(100))
                .await().atMost(AWAIT);

        // measured from the call: the first operation may itself start late (a worker thread being created), so
        // the gap between first and third can be shorter than 200 ms on a busy machine without anything wrong
        long second = outcomes.get(1).result();
        long third = outcomes.get(2).result();
        assertTrue(Duration.ofNanos(second - called).toMillis() >= 100, "second started 100 ms after the call");
        assertTrue(Duration.ofNanos(third - called).toMillis() >= 200, "third started 200 ms after the call");
    }

    @Test
    void runConcurrentWithNoOperationsEmitsAnEmptyList() {
        assertEquals(List.of(), ConcurrencyHelpers.<String>runConcurrent(List.of()).await().atMost(AWAIT));
    }

    @Test
    void runOnThreadsReleasesAllThreadsTogether() throws InterruptedException {
        int n = 16;
        CountDownLatch inside = new CountDownLatch(n);
        Set<String> threadNames = ConcurrentHashMap.newKeySet();
        List<Callable<Boolean>> tasks = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            tasks.add(() -> {
                threadNames.add(Thread.currentThread().getName());
                inside.countDown();
                return inside.await(10, TimeUnit.SECONDS);
            });
        }

        List<ConcurrencyHelpers.Outcome<Boolean>> outcomes = ConcurrencyHelpers.runOnThreads(tasks, AWAIT);

        outcomes.forEach(o -> assertEquals(Boolean.TRUE, o.result()));
        assertEquals(n, threadNames.size());
    }

    @Test
    void runOnThreadsReportsFailuresAndGivesUpAfterTheTimeout() throws InterruptedException {
        List<ConcurrencyHelpers.Outcome<Integer>> outcomes = ConcurrencyHelpers.runOnThreads(List.of(
                () -> 1,
                () -> {
                    throw new IOException("disk");
                }), AWAIT);
        assertEquals(1, outcomes.get(0).result());
        assertInstanceOf(IOException.class, outcomes.get(1).error());

        CountDownLatch never = new CountDownLatch(1);
        assertThrows(IllegalStateException.class, () -> ConcurrencyHelpers.runOnThreads(
                List.<Callable<Boolean>>of(() -> never.await(1, TimeUnit.MINUTES)), Duration.ofMillis(200)));
    }

    @Test
    void unguardedReadModifyWriteIsCaughtLosingUpdates() {
        Random random = new Random(SEED);
        List<UnaryOperator<Integer>> increments = Collections.nCopies(WRITERS, v -> v + 1);
        Supplier<Uni<Integer>> read = () -> Uni.createFrom().item(() -> cell)
                .onItem().delayIt().by(Duration.ofMillis(nextPause(random)));
        Function<Integer, Uni<Void>> write = v -> Uni.createFrom().item(() -> {
            cell = v;
            return null;
        });

        ConcurrencyHelpers.UpdateCheck<Integer> check = ConcurrencyHelpers
                .verifyNoLostUpdates(0, increments, read, write).await().atMost(AWAIT);

        assertFalse(check.success());
        assertEquals(WRITERS, check.expected());
        assertTrue(check.actual() < WRITERS, "lost updates leave " + check.actual());
    }

    @Test
    void unguardedReadModifyWriteOnRealThreadsLosesUpdates() throws InterruptedException {
        Random random = new Random(SEED);
        long[] pauses = random.longs(WRITERS, 1, 4).toArray();
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            long pause = pauses[i];
            tasks.add(() -> {
                int read = cell;
                new CountDownLatch(1).await(pause, TimeUnit.MILLISECONDS);
                cell = read + 1;
                return null;
            });
        }

        ConcurrencyHelpers.runOnThreads(tasks, AWAIT);

        assertTrue(cell < WRITERS, "lost updates leave " + cell);
    }

    @Test
    void readModifyWriteUnderTheLockLosesNothing() {
        MockFileLockService locks = new MockFileLockService();
        Path record = Path.of("records", "counter.json");
        Random random = new Random(SEED);
        List<UnaryOperator<Integer>> increments = Collections.nCopies(WRITERS, v -> v + 1);
        Supplier<Uni<Integer>> read = () -> Uni.createFrom().item(() -> cell)
                .onItem().delayIt().by(Duration.ofMillis(nextPause(random)));
        Function<Integer, Uni<Void>> write = v -> Uni.createFrom().item(() -> {
            cell = v;
            return null;
        });
        LockOptions wait = TestConfig.lockOptions().withTimeout(Duration.ofSeconds(60))
                .withRetryInterval(Duration.ofMillis(5)).withMaxRetries(Integer.MAX_VALUE);

        ConcurrencyHelpers.UpdateCheck<Integer> check = ConcurrencyHelpers.verifyNoLostUpdates(0, increments, read,
                write, fn -> locks.withLock(record, () -> read.get().map(fn).chain(write::apply), wait))
                .await().atMost(AWAIT);

        assertTrue(check.success(), () -> "expected " + check.expected() + ", read " + check.actual());
        assertEquals(WRITERS, check.actual());
        assertEquals(WRITERS, locks.grantCount(record));
    }

    @Test
    void failedModificationShowsAsAMismatch() {
        AtomicInteger store = new AtomicInteger();
        List<UnaryOperator<Integer>> increments = Collections.nCopies(4, v -> v + 1);
        AtomicInteger calls = new AtomicInteger();

        ConcurrencyHelpers.UpdateCheck<Integer> check = ConcurrencyHelpers.verifyNoLostUpdates(0, increments,
                () -> Uni.createFrom().item(store.get()),
                v -> Uni.createFrom().item(() -> {
                    store.set(v);
                    return null;
                }),
                fn -> calls.incrementAndGet() == 1
                        ? Uni.createFrom().failure(new IllegalStateException("refused"))
                        : Uni.createFrom().item(store.updateAndGet(fn::apply))).await().atMost(AWAIT);

        assertFalse(check.success());
        assertEquals(4, check.expected());
        assertEquals(3, check.actual());
    }

    private static long nextPause(Random random) {
        synchronized (random) {
            return 1 + random.nextInt(3);
        }
    }

    private static boolean awaitLatch(CountDownLatch latch) {
        try {
            return latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
