package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/**
 * The contract of {@link FileLockService} and {@link LockHandle}, written once; every implementation subclasses it
 * (the lock-file engine and {@link MockFileLockService}).
 *
 * <p>A subclass supplies {@link #newService()}; it may read {@link #directory()} (a fresh {@link TempDir} per test,
 * already set when {@code newService()} runs), override {@link #resource(String)} to place resources elsewhere, and
 * override {@link #closeService(FileLockService)} to stop what {@code newService()} started. Waits are bounded by
 * {@link #AWAIT}; nothing sleeps.
 */
public abstract class AbstractFileLockServiceContractTest {

    /** Longest any single step of a test may take before it counts as hung. */
    protected static final Duration AWAIT = Duration.ofSeconds(10);

    /** Options of an acquisition that waits until granted (retries never run out, the deadline is far). */
    protected static final LockOptions WAIT = LockOptions.defaults()
            .withTimeout(Duration.ofSeconds(30))
            .withRetryInterval(Duration.ofMillis(5))
            .withMaxRetries(Integer.MAX_VALUE);

    /**
     * The retry interval of a waiter whose test expects a wake-up: polling alone would take 1 to 2 s (jitter halves
     * at most), far beyond {@link #HANDOVER}. A service under test must not cap its backoff below this.
     */
    protected static final Duration POLL = Duration.ofSeconds(2);

    /** The longest a waiter may take to be granted after the release it waits for (it is woken by the release). */
    protected static final Duration HANDOVER = Duration.ofMillis(250);

    /** Options of a single attempt. */
    protected static final LockOptions NO_WAIT = LockOptions.defaults().withTimeout(Duration.ZERO);

    @TempDir
    private Path directory;

    private FileLockService service;

    /** A new service for one test; {@link #directory()} is already set. */
    protected abstract FileLockService newService() throws Exception;

    /** Stops a service made by {@link #newService()}; nothing by default. */
    protected void closeService(FileLockService closing) throws Exception {
    }

    /** The temporary directory of the current test. */
    protected Path directory() {
        return directory;
    }

    /** A resource (a data file that need not exist) for the current test. */
    protected Path resource(String name) {
        return directory.resolve(name);
    }

    /** The service under test. */
    protected FileLockService service() {
        return service;
    }

    @BeforeEach
    void createService() throws Exception {
        service = newService();
    }

    @AfterEach
    void disposeService() throws Exception {
        closeService(service);
    }

    // --------------------------------------------------------------------------------------------------------------
    // Exclusion
    // --------------------------------------------------------------------------------------------------------------

    @Test
    void exclusiveLockExcludesAnotherExclusive() {
        Path file = resource("a.json");
        LockHandle first = acquired(file, WAIT);

        LockResult second = await(service.acquire(file, LockOptions.defaults().withTimeout(Duration.ofMillis(200))
                .withRetryInterval(Duration.ofMillis(10))));

        assertInstanceOf(LockResult.Failed.class, second);
        assertTrue(first.isHeld());
        release(first);
    }

    @Test
    void sharedLocksCoexist() {
        Path file = resource("a.json");
        LockHandle one = acquired(file, NO_WAIT.withType(LockType.SHARED));
        LockHandle two = acquired(file, NO_WAIT.withType(LockType.SHARED));

        assertTrue(one.isHeld());
        assertTrue(two.isHeld());
        assertEquals(LockType.SHARED, two.type());
        assertNotEquals(one.lockId(), two.lockId());
        release(one);
        release(two);
    }

    @Test
    void exclusiveLockExcludesShared() {
        Path file = resource("a.json");
        LockHandle writer = acquired(file, NO_WAIT);

        LockResult reader = await(service.acquire(file, NO_WAIT.withType(LockType.SHARED)));

        assertEquals(LockResult.Reason.LOCKED, failed(reader).reason());
        release(writer);
    }

    @Test
    void sharedLockExcludesExclusive() {
        Path file = resource("a.json");
        LockHandle reader = acquired(file, NO_WAIT.withType(LockType.SHARED));

        LockResult writer = await(service.acquire(file, NO_WAIT));

        assertEquals(LockResult.Reason.LOCKED, failed(writer).reason());
        release(reader);
    }

    @Test
    void lockPathIsTheResourceWithLockSuffix() {
        Path file = resource("a.json");
        LockHandle handle = acquired(file, NO_WAIT);

        assertEquals(file.toAbsolutePath().normalize().resolveSibling("a.json.lock"),
                handle.lockPath().toAbsolutePath().normalize());
        release(handle);
    }

    // --------------------------------------------------------------------------------------------------------------
    // Waiting, timeouts, retries
    // --------------------------------------------------------------------------------------------------------------

    @Test
    void secondExclusiveAcquireWaitsForReleaseAndIsGrantedWithinMillisecondsOfIt() {
        Path file = resource("a.json");
        LockHandle first = acquired(file, WAIT);
        // a waiter that only polled would look again 1 to 2 s after its first attempt: only a wake-up is in time
        UniAssertSubscriber<LockResult> second = service.acquire(file, WAIT.withRetryInterval(POLL))
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        Awaitility.await().during(Duration.ofMillis(300)).atMost(AWAIT).until(() -> second.getItem() == null
                && second.getFailure() == null);
        long releasedAt = System.nanoTime();
        release(first);

        LockHandle next = handle(second.awaitItem(AWAIT).getItem());
        assertTrue(next.isHeld());
        long ms = Duration.ofNanos(System.nanoTime() - releasedAt).toMillis();
        assertTrue(ms < HANDOVER.toMillis(), "granted " + ms + " ms after the release");
        release(next);
    }

    @Test
    void releaseLetsTheNextWaiterIn() {
        Path file = resource("a.json");
        LockHandle reader1 = acquired(file, NO_WAIT.withType(LockType.SHARED));
        LockHandle reader2 = acquired(file, NO_WAIT.withType(LockType.SHARED));
        UniAssertSubscriber<LockResult> writer = service.acquire(file, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        release(reader1);
        Awaitility.await().during(Duration.ofMillis(200)).atMost(AWAIT).until(() -> writer.getItem() == null);
        release(reader2);

        LockHandle granted = handle(writer.awaitItem(AWAIT).getItem());
        assertEquals(LockType.EXCLUSIVE, granted.type());
        release(granted);
    }

    @Test
    void zeroTimeoutOnBusyLockFailsLockedAtOnce() {
        Path file = resource("a.json");
        LockHandle holder = acquired(file, NO_WAIT);
        long start = System.nanoTime();

        LockResult result = await(service.acquire(file, LockOptions.defaults().withTimeout(Duration.ZERO)));

        assertEquals(LockResult.Reason.LOCKED, failed(result).reason());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(2)) < 0);
        release(holder);
    }

    @Test
    void shortTimeoutWithManyRetriesFailsTimeoutNamingTheHolder() {
        Path file = resource("a.json");
        LockHandle holder = acquired(file, NO_WAIT);

        LockResult result = await(service.acquire(file, LockOptions.defaults()
                .withTimeout(Duration.ofMillis(300)).withRetryInterval(Duration.ofMillis(10))
                .withMaxRetries(Integer.MAX_VALUE)));

        LockResult.Failed failure = failed(result);
        assertEquals(LockResult.Reason.TIMEOUT, failure.reason());
        LockHolder inTheWay = failure.holder().orElseThrow();
        assertEquals(LockType.EXCLUSIVE, inTheWay.type());
        assertEquals(ProcessHandle.current().pid(), inTheWay.pid());
        assertFalse(inTheWay.hostname().isBlank());
        assertFalse(inTheWay.since().isAfter(Instant.now()));
        release(holder);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1})
    void exhaustedRetriesFailLockedBeforeTheTimeout(int maxRetries) {
        Path file = resource("a.json");
        LockHandle holder = acquired(file, NO_WAIT);
        long start = System.nanoTime();

        LockResult result = await(service.acquire(file, LockOptions.defaults()
                .withTimeout(Duration.ofSeconds(30)).withRetryInterval(Duration.ofMillis(10))
                .withMaxRetries(maxRetries)));

        assertEquals(LockResult.Reason.LOCKED, failed(result).reason());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(10)) < 0);
        release(holder);
    }

    // --------------------------------------------------------------------------------------------------------------
    // Handles
    // --------------------------------------------------------------------------------------------------------------

    @Test
    void fencingTokensStrictlyIncreaseOverSuccessiveGrants() {
        Path file = resource("a.json");
        long previous = Long.MIN_VALUE;
        for (int i = 0; i < 5; i++) {
            LockType type = i % 2 == 0 ? LockType.EXCLUSIVE : LockType.SHARED;
            LockHandle handle = acquired(file, NO_WAIT.withType(type));
            assertTrue(handle.fencingToken() > previous, "token " + handle.fencingToken() + " after " + previous);
            previous = handle.fencingToken();
            release(handle);
        }
    }

    @Test
    void lockIdsAreUniqueAcrossGrants() {
        Path file = resource("a.json");
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 5; i++) {
            LockHandle handle = acquired(file, NO_WAIT);
            ids.add(handle.lockId());
            release(handle);
        }
        assertEquals(5, ids.size());
    }

    @Test
    void releaseIsIdempotentAndNeverFreesTheNextHolder() {
        Path file = resource("a.json");
        LockHandle first = acquired(file, NO_WAIT);
        release(first);
        LockHandle second = acquired(file, NO_WAIT);

        release(first);

        assertTrue(second.isHeld());
        assertTrue(await(service.isLocked(file)));
        assertEquals(LockResult.Reason.LOCKED, failed(await(service.acquire(file, NO_WAIT))).reason());
        release(second);
    }

    @Test
    void isHeldIsFalseAfterRelease() {
        LockHandle handle = acquired(resource("a.json"), NO_WAIT);
        assertTrue(handle.isHeld());

        release(handle);

        assertFalse(handle.isHeld());
    }

    @Test
    void renewAfterReleaseFailsWithLockLost() {
        LockHandle handle = acquired(resource("a.json"), NO_WAIT.withLease(Duration.ofSeconds(30)));
        release(handle);

        Throwable failure = assertThrows(RuntimeException.class,
                () -> handle.renew(Duration.ofSeconds(30)).await().atMost(AWAIT));

        assertInstanceOf(LockLostException.class, unwrap(failure));
    }

    @Test
    void isLockedFollowsTheHolder() {
        Path file = resource("a.json");
        assertFalse(await(service.isLocked(file)));

        LockHandle handle = acquired(file, NO_WAIT.withType(LockType.SHARED));
        assertTrue(await(service.isLocked(file)));

        release(handle);
        assertFalse(await(service.isLocked(file)));
    }

    // --------------------------------------------------------------------------------------------------------------
    // withLock
    // --------------------------------------------------------------------------------------------------------------

    @Test
    void withLockHoldsTheLockDuringWorkAndReleasesAfterSuccess() {
        Path file = resource("a.json");

        String result = service.withLock(file, () -> service.isLocked(file).map(locked -> locked ? "held" : "free"),
                WAIT).await().atMost(AWAIT);

        assertEquals("held", result);
        assertFalse(await(service.isLocked(file)));
    }

    @Test
    void withLockReleasesAfterFailure() {
        Path file = resource("a.json");
        IllegalStateException boom = new IllegalStateException("boom");

        Throwable failure = assertThrows(RuntimeException.class,
                () -> service.withLock(file, () -> Uni.createFrom().failure(boom), WAIT).await().atMost(AWAIT));

        assertSame(boom, unwrap(failure));
        assertFalse(await(service.isLocked(file)));
    }

    @Test
    void withLockReleasesWhenWorkThrows() {
        Path file = resource("a.json");
        Supplier<Uni<String>> throwing = () -> {
            throw new IllegalArgumentException("thrown, not emitted");
        };

        Throwable failure = assertThrows(RuntimeException.class,
                () -> service.withLock(file, throwing, WAIT).await().atMost(AWAIT));

        assertInstanceOf(IllegalArgumentException.class, unwrap(failure));
        assertFalse(await(service.isLocked(file)));
    }

    @Test
    void withLockKeepsTheLockUntilTheWorkEndsWhenTheCallerCancels() {
        // A client that disconnects cancels its request; the read-modify-write it started goes on, so the lock must
        // be held until that work has finished, or the next writer reads the old version and one update is lost.
        Path file = resource("a.json");
        AtomicBoolean working = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<io.smallrye.mutiny.subscription.UniEmitter<? super String>> end =
                new java.util.concurrent.atomic.AtomicReference<>();
        Uni<String> work = Uni.createFrom().emitter(em -> {
            end.set(em);
            working.set(true);
        });
        UniAssertSubscriber<String> subscriber = service.withLock(file, () -> work, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        Awaitility.await().atMost(AWAIT).untilTrue(working);

        subscriber.cancel();

        assertTrue(await(service.isLocked(file)), "the lock is kept while the work goes on");
        LockResult meanwhile = await(service.acquire(file, NO_WAIT));
        assertInstanceOf(LockResult.Failed.class, meanwhile, "nobody else gets the lock while the work goes on");
        end.get().complete("done");
        Awaitility.await().atMost(AWAIT).until(() -> !await(service.isLocked(file)));
        release(acquired(file, NO_WAIT));
    }

    @Test
    void withLockCancelledWhileWaitingLeavesNothingHeld() {
        Path file = resource("a.json");
        LockHandle holder = acquired(file, NO_WAIT);
        AtomicBoolean ran = new AtomicBoolean();
        UniAssertSubscriber<String> subscriber = service.withLock(file, () -> {
            ran.set(true);
            return Uni.createFrom().item("ran");
        }, WAIT).subscribe().withSubscriber(UniAssertSubscriber.create());

        subscriber.cancel();
        release(holder);

        release(acquired(file, WAIT.withTimeout(AWAIT)));
        assertFalse(ran.get());
        assertFalse(await(service.isLocked(file)));
    }

    @Test
    void withLockFailsWithLockExceptionWhenTheLockIsBusy() {
        Path file = resource("a.json");
        LockHandle holder = acquired(file, NO_WAIT);

        Throwable failure = assertThrows(RuntimeException.class,
                () -> service.withLock(file, () -> Uni.createFrom().item("never"), NO_WAIT).await().atMost(AWAIT));

        LockException lockException = assertInstanceOf(LockException.class, unwrap(failure));
        assertEquals(LockResult.Reason.LOCKED, lockException.failure().reason());
        release(holder);
    }

    // --------------------------------------------------------------------------------------------------------------
    // acquireAll
    // --------------------------------------------------------------------------------------------------------------

    @Test
    void acquireAllIsAllOrNone() {
        Path a = resource("a.json");
        Path b = resource("b.json");
        Path c = resource("c.json");
        LockHandle busy = acquired(b, NO_WAIT);

        LockResult result = await(service.acquireAll(List.of(c, b, a), LockOptions.defaults()
                .withTimeout(Duration.ofMillis(200)).withRetryInterval(Duration.ofMillis(10))));

        assertInstanceOf(LockResult.Failed.class, result);
        assertFalse(await(service.isLocked(a)));
        assertFalse(await(service.isLocked(c)));
        assertTrue(busy.isHeld());
        release(busy);
    }

    @Test
    void acquireAllTakesResourcesInSortedOrder() {
        Path a = resource("a.json");
        Path b = resource("b.json");
        Path c = resource("c.json");

        LockResult result = await(service.acquireAll(List.of(c, a, b), NO_WAIT));

        List<LockHandle> handles = assertInstanceOf(LockResult.Acquired.class, result).handles();
        List<Path> order = new ArrayList<>();
        handles.forEach(h -> order.add(h.resource().toAbsolutePath().normalize()));
        assertEquals(List.of(a, b, c).stream().map(p -> p.toAbsolutePath().normalize()).toList(), order);
        handles.forEach(this::release);
        assertFalse(await(service.isLocked(b)));
    }

    @Test
    void acquireAllInOppositeOrdersDoesNotDeadlock() {
        Path a = resource("a.json");
        Path b = resource("b.json");
        List<Supplier<Uni<Integer>>> ops = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            List<Path> order = i % 2 == 0 ? List.of(a, b) : List.of(b, a);
            ops.add(() -> service.acquireAll(order, WAIT).chain(r -> {
                List<LockHandle> handles = assertInstanceOf(LockResult.Acquired.class, r).handles();
                return Uni.join().all(handles.stream().map(LockHandle::release).toList()).andFailFast()
                        .replaceWith(handles.size());
            }));
        }

        List<ConcurrencyHelpers.Outcome<Integer>> outcomes = ConcurrencyHelpers.runConcurrent(ops)
                .await().atMost(AWAIT.multipliedBy(3));

        outcomes.forEach(o -> assertEquals(2, o.result(), () -> String.valueOf(o.error())));
        assertFalse(await(service.isLocked(a)));
        assertFalse(await(service.isLocked(b)));
    }

    // --------------------------------------------------------------------------------------------------------------
    // Under load
    // --------------------------------------------------------------------------------------------------------------

    /** Not volatile, not atomic: only the lock makes the increments safe. */
    private int counter;

    @Test
    void concurrentAcquirersIncrementingUnderTheLockLoseNothing() {
        Path file = resource("counter.json");
        int acquirers = 48;
        List<Supplier<Uni<Integer>>> ops = new ArrayList<>();
        for (int i = 0; i < acquirers; i++) {
            ops.add(() -> service.withLock(file, () -> {
                int read = counter;
                return Uni.createFrom().item(read).onItem().delayIt().by(Duration.ofMillis(1))
                        .map(value -> counter = value + 1);
            }, WAIT));
        }

        List<ConcurrencyHelpers.Outcome<Integer>> outcomes = ConcurrencyHelpers.runConcurrent(ops)
                .await().atMost(AWAIT.multipliedBy(3));

        outcomes.forEach(o -> assertTrue(o.succeeded(), () -> String.valueOf(o.error())));
        assertEquals(acquirers, counter);
        assertFalse(await(service.isLocked(file)));
    }

    // --------------------------------------------------------------------------------------------------------------
    // Helpers
    // --------------------------------------------------------------------------------------------------------------

    protected static <T> T await(Uni<T> uni) {
        return uni.await().atMost(AWAIT);
    }

    protected LockHandle acquired(Path file, LockOptions options) {
        return handle(await(service.acquire(file, options)));
    }

    protected static LockHandle handle(LockResult result) {
        return assertInstanceOf(LockResult.Acquired.class, result, () -> "expected a grant, got " + result).handle();
    }

    protected static LockResult.Failed failed(LockResult result) {
        return assertInstanceOf(LockResult.Failed.class, result, () -> "expected a failure, got " + result);
    }

    protected void release(LockHandle handle) {
        handle.release().await().atMost(AWAIT);
    }

    private static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
