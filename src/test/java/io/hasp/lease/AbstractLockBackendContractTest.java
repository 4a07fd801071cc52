package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.hasp.HaspConfig;
import io.hasp.http.ProblemException;
import io.hasp.lock.LockType;
import io.smallrye.mutiny.Uni;

/**
 * The contract of {@link LockBackend}, the same cases for every backend (as ShedLock's
 * {@code AbstractLockProviderIntegrationTest}): each backend's test class subclasses this one and runs them against
 * its own application. Timing bounds are generous: they prove a waiter is woken, not how fast a busy machine is.
 */
public abstract class AbstractLockBackendContractTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    LockBackend backend;

    @Inject
    HaspConfig config;

    static AcquireOptions opts(LockType type, long timeoutMs, long leaseMs) {
        return new AcquireOptions(type, timeoutMs, 20L, 100_000, leaseMs);
    }

    static AcquireOptions exclusive(long timeoutMs) {
        return opts(LockType.EXCLUSIVE, timeoutMs, 30_000);
    }

    LockGrant acquire(String name, AcquireOptions options) {
        return backend.acquire(new LockName(name), options).await().atMost(WAIT);
    }

    void release(LockGrant grant) {
        backend.release(new LockName(grant.name()), grant.lockId()).await().atMost(WAIT);
    }

    LockStatus status(String name) {
        return backend.status(new LockName(name)).await().atMost(WAIT);
    }

    /** The problem a call answers, whether it throws it at once or fails its {@code Uni} with it. */
    static ProblemException problem(Supplier<Uni<?>> call) {
        return assertThrows(ProblemException.class, () -> call.get().await().atMost(WAIT));
    }

    static <T> CompletableFuture<T> start(Uni<T> call) {
        return call.subscribeAsCompletionStage();
    }

    /** Asserts that {@code pending} stays unfinished for a while: it is really waiting. */
    static void stillWaiting(CompletableFuture<?> pending) {
        Awaitility.await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> !pending.isDone());
    }

    @Test
    void exclusiveGrantRefusesASecondAcquireWithTheHolder() {
        String name = LockApi.uniqueName("contract-excl");
        LockGrant first = acquire(name, exclusive(1000));
        assertEquals(name, first.name());
        assertEquals(LockType.EXCLUSIVE, first.type());
        assertTrue(first.expiresAt().isAfter(first.acquiredAt()));
        ProblemException busy = problem(() -> backend.acquire(new LockName(name), exclusive(0)));
        assertEquals(409, busy.status());
        assertEquals("locked", busy.reason());
        assertEquals(ProcessHandle.current().pid(), ((Number) busy.extras().get("pid")).longValue());
        assertFalse(busy.getMessage().contains(first.lockId()));
        release(first);
        release(acquire(name, exclusive(0)));
    }

    @Test
    void fencingTokensStrictlyIncreaseWithEveryGrant() {
        String name = LockApi.uniqueName("contract-fence");
        long last = 0;
        for (int i = 0; i < 5; i++) {
            LockGrant g = acquire(name, exclusive(1000));
            assertTrue(g.fencingToken() > last, g.fencingToken() + " after " + last);
            last = g.fencingToken();
            release(g);
        }
    }

    @Test
    void aWaiterIsGrantedWithinMillisecondsOfTheRelease() throws Exception {
        String name = LockApi.uniqueName("contract-wake");
        LockGrant first = acquire(name, exclusive(1000));
        // retries 2 s apart (1 to 2 s with jitter, under hasp.lock.retry-cap): a waiter that only polled would be
        // granted long after the bound below, so only a wake-up by the release passes
        CompletableFuture<LockGrant> waiter = start(backend.acquire(new LockName(name),
                new AcquireOptions(LockType.EXCLUSIVE, 20_000L, 2000L, 100_000, 30_000L)));
        stillWaiting(waiter);
        long released = System.nanoTime();
        release(first);
        LockGrant second = waiter.get(20, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - released) / 1_000_000;
        assertTrue(ms < 300, "granted " + ms + " ms after the release");
        assertTrue(second.fencingToken() > first.fencingToken());
        release(second);
    }

    @Test
    void aBusyLockPastTheDeadlineIsRefusedWithTimeout() {
        String name = LockApi.uniqueName("contract-timeout");
        LockGrant first = acquire(name, exclusive(1000));
        long start = System.nanoTime();
        ProblemException p = problem(() -> backend.acquire(new LockName(name), exclusive(400)));
        long waited = (System.nanoTime() - start) / 1_000_000;
        assertEquals(409, p.status());
        assertEquals("timeout", p.reason());
        assertTrue(waited >= 380, "gave up after " + waited + " ms");
        assertNotNull(p.extras().get("holder"));
        release(first);
    }

    @Test
    void aBusyLockAfterItsRetriesIsRefusedWithLocked() {
        String name = LockApi.uniqueName("contract-retries");
        LockGrant first = acquire(name, exclusive(1000));
        ProblemException p = problem(() -> backend.acquire(new LockName(name),
                new AcquireOptions(LockType.EXCLUSIVE, 20_000L, 10L, 2, 30_000L)));
        assertEquals("locked", p.reason());
        release(first);
    }

    @Test
    void sharedGrantsAreHeldTogetherAndExcludeAWriter() {
        String name = LockApi.uniqueName("contract-shared");
        LockGrant a = acquire(name, opts(LockType.SHARED, 1000, 30_000));
        LockGrant b = acquire(name, opts(LockType.SHARED, 0, 30_000));
        assertEquals(LockType.SHARED, b.type());
        assertEquals("locked", problem(() -> backend.acquire(new LockName(name), exclusive(0))).reason());
        assertEquals(2, status(name).holders().size());
        release(a);
        assertEquals("locked", problem(() -> backend.acquire(new LockName(name), exclusive(0))).reason());
        release(b);
        release(acquire(name, exclusive(0)));
    }

    @Test
    void aWaitingWriterKeepsNewReadersOut() throws Exception {
        String name = LockApi.uniqueName("contract-writer");
        LockGrant reader = acquire(name, opts(LockType.SHARED, 1000, 30_000));
        CompletableFuture<LockGrant> writer = start(backend.acquire(new LockName(name), exclusive(20_000)));
        // once the writer waits, a new reader is refused even though only readers hold the lock
        Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            try {
                release(acquire(name, opts(LockType.SHARED, 0, 30_000)));
                return false;
            } catch (ProblemException refused) {
                return "locked".equals(refused.reason());
            }
        });
        assertFalse(writer.isDone());
        release(reader);
        LockGrant w = writer.get(20, TimeUnit.SECONDS);
        assertEquals(LockType.EXCLUSIVE, w.type());
        release(w);
    }

    @Test
    void severalNamesAreGrantedTogetherInSortedOrder() {
        String b = LockApi.uniqueName("contract-multi-b");
        String a = LockApi.uniqueName("contract-multi-a");
        LockGrants grants = backend.acquireAll(List.of(new LockName(b), new LockName(a)), exclusive(1000))
                .await().atMost(WAIT);
        assertEquals(List.of(a, b), grants.locks().stream().map(LockGrant::name).toList());
        assertTrue(status(a).locked() && status(b).locked());
        grants.locks().forEach(this::release);
        assertFalse(status(a).locked() || status(b).locked());
    }

    @Test
    void severalNamesAreAllOrNone() {
        String a = LockApi.uniqueName("contract-all-a");
        String busy = LockApi.uniqueName("contract-all-b");
        String c = LockApi.uniqueName("contract-all-c");
        LockGrant held = acquire(busy, exclusive(1000));
        ProblemException p = problem(() -> backend.acquireAll(
                List.of(new LockName(c), new LockName(busy), new LockName(a)), exclusive(300)));
        assertEquals(409, p.status());
        assertFalse(status(a).locked(), "a was left locked");
        assertFalse(status(c).locked(), "c was left locked");
        release(held);
        LockGrants all = backend.acquireAll(List.of(new LockName(c), new LockName(busy), new LockName(a)),
                exclusive(1000)).await().atMost(WAIT);
        assertEquals(3, all.locks().size());
        all.locks().forEach(this::release);
    }

    @Test
    void renewExtendsTheLeaseAndEndedGrantsAnswer404() {
        String name = LockApi.uniqueName("contract-renew");
        LockGrant g = acquire(name, opts(LockType.EXCLUSIVE, 1000, 3000));
        LockGrant renewed = backend.renew(new LockName(name), g.lockId(), new RenewRequest(60_000L))
                .await().atMost(WAIT);
        assertEquals(g.lockId(), renewed.lockId());
        assertEquals(g.fencingToken(), renewed.fencingToken());
        assertTrue(renewed.expiresAt().isAfter(Instant.now().plusSeconds(50)), "renewed to " + renewed.expiresAt());
        LockGrant kept = backend.renew(new LockName(name), g.lockId(), RenewRequest.DEFAULTS).await().atMost(WAIT);
        assertTrue(kept.expiresAt().isAfter(Instant.now().plusSeconds(50)), "a bare renewal keeps the length");
        assertEquals(400, problem(() -> backend.renew(new LockName(name), g.lockId(),
                new RenewRequest(config.lease().max().toMillis() + 1))).status());
        assertEquals(404, problem(() -> backend.renew(new LockName(name), "0123456789abcdef", RenewRequest.DEFAULTS))
                .status());
        release(g);
        assertEquals(404, problem(() -> backend.release(new LockName(name), g.lockId())).status());
        assertEquals(404, problem(() -> backend.renew(new LockName(name), g.lockId(), RenewRequest.DEFAULTS))
                .status());
    }

    @Test
    void anExpiredLeaseHandsTheNameOn() {
        String name = LockApi.uniqueName("contract-expire");
        LockGrant first = acquire(name, opts(LockType.EXCLUSIVE, 1000, 1000));
        LockGrant second = acquire(name, exclusive(15_000));
        assertTrue(second.fencingToken() > first.fencingToken());
        assertFalse(second.acquiredAt().isBefore(first.expiresAt()),
                "granted at " + second.acquiredAt() + " before the first lease ended " + first.expiresAt());
        assertEquals(404, problem(() -> backend.renew(new LockName(name), first.lockId(), RenewRequest.DEFAULTS))
                .status());
        assertEquals(404, problem(() -> backend.release(new LockName(name), first.lockId())).status());
        release(second);
    }

    @Test
    void forceReleaseEndsEveryGrantOfTheName() {
        String name = LockApi.uniqueName("contract-force");
        LockGrant a = acquire(name, opts(LockType.SHARED, 1000, 30_000));
        LockGrant b = acquire(name, opts(LockType.SHARED, 1000, 30_000));
        assertTrue(backend.forceRelease(new LockName(name)).await().atMost(WAIT));
        assertFalse(status(name).locked());
        assertEquals(404, problem(() -> backend.renew(new LockName(name), a.lockId(), RenewRequest.DEFAULTS))
                .status());
        assertEquals(404, problem(() -> backend.release(new LockName(name), b.lockId())).status());
        assertFalse(backend.forceRelease(new LockName(name)).await().atMost(WAIT));
        release(acquire(name, exclusive(0)));
    }

    @Test
    void statusAndListShowHoldersButNeverALockId() {
        String name = LockApi.uniqueName("contract-status");
        assertFalse(status(name).locked());
        LockGrant g = acquire(name, exclusive(1000));
        LockStatus s = status(name);
        assertTrue(s.locked());
        assertEquals(1, s.holders().size());
        LockStatus.Holder h = s.holders().get(0);
        assertEquals(g.fencingToken(), h.fencingToken());
        assertEquals(ProcessHandle.current().pid(), h.pid());
        assertNotNull(h.expiresAt());
        assertFalse(s.toString().contains(g.lockId()));
        LockStatusList all = backend.list().await().atMost(WAIT);
        assertTrue(all.locks().stream().anyMatch(l -> l.name().equals(name)));
        assertFalse(all.toString().contains(g.lockId()));
        assertTrue(backend.countHolders().await().atMost(WAIT) >= 1);
        release(g);
        assertTrue(backend.list().await().atMost(WAIT).locks().stream().noneMatch(l -> l.name().equals(name)));
    }

    @Test
    void aLeaseOverTheMaximumIsRefused() {
        String name = LockApi.uniqueName("contract-max");
        ProblemException p = problem(() -> backend.acquire(new LockName(name),
                opts(LockType.EXCLUSIVE, 0, config.lease().max().toMillis() + 1)));
        assertEquals(400, p.status());
        assertFalse(status(name).locked());
    }
}
