package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

import io.hasp.TestConfig;

/** The test controls of {@link MockFileLockService}: behaviours, simulated contention, reset, counters, leases. */
class MockFileLockServiceTest {

    private static final Duration AWAIT = Duration.ofSeconds(10);
    private static final LockOptions NO_WAIT = TestConfig.lockOptions().withTimeout(Duration.ZERO);
    private static final LockOptions WAIT = TestConfig.lockOptions().withTimeout(Duration.ofSeconds(30))
            .withRetryInterval(Duration.ofMillis(5)).withMaxRetries(Integer.MAX_VALUE);

    private final MockFileLockService locks = new MockFileLockService();
    private final Path file = Path.of("records", "q.json");

    @Test
    void timeoutBehaviorFailsAtOnceWithTimeoutAndAHolder() {
        locks.setLockBehavior(file, MockFileLockService.Behavior.TIMEOUT);

        LockResult.Failed failure = failed(locks.acquire(file, WAIT));

        assertEquals(LockResult.Reason.TIMEOUT, failure.reason());
        assertEquals(MockFileLockService.FOREIGN_PID, failure.holder().orElseThrow().pid());
        assertFalse(await(locks.isLocked(file)));
    }

    @Test
    void timeoutBehaviorNamesTheRealHolderWhenThereIsOne() {
        LockHandle holder = acquired(file, NO_WAIT);
        locks.setLockBehavior(file, MockFileLockService.Behavior.TIMEOUT);

        LockResult.Failed failure = failed(locks.acquire(file, WAIT));

        assertEquals(holder.fencingToken(), failure.holder().orElseThrow().fencingToken().orElseThrow());
    }

    @Test
    void errorBehaviorFailsWithErrorAndNoHolder() {
        locks.setLockBehavior(file, MockFileLockService.Behavior.ERROR);

        LockResult.Failed failure = failed(locks.acquire(file, WAIT));

        assertEquals(LockResult.Reason.ERROR, failure.reason());
        assertTrue(failure.holder().isEmpty());
    }

    @Test
    void errorBehaviorMakesWithLockFailWithoutRunningTheWork() {
        locks.setLockBehavior(file, MockFileLockService.Behavior.ERROR);
        int[] runs = {0};

        LockException e = assertThrows(LockException.class, () -> locks.withLock(file, () -> {
            runs[0]++;
            return Uni.createFrom().item("ran");
        }, WAIT).await().atMost(AWAIT));

        assertEquals(LockResult.Reason.ERROR, e.failure().reason());
        assertEquals(0, runs[0]);
    }

    @Test
    void behaviorAppliesToItsPathOnly() {
        locks.setLockBehavior(file, MockFileLockService.Behavior.ERROR);

        LockHandle other = acquired(Path.of("records", "other.json"), NO_WAIT);

        assertTrue(other.isHeld());
    }

    @Test
    void successBehaviorRestoresRealLocking() {
        locks.setLockBehavior(file, MockFileLockService.Behavior.ERROR);
        locks.setLockBehavior(file, MockFileLockService.Behavior.SUCCESS);

        assertTrue(acquired(file, NO_WAIT).isHeld());
    }

    @Test
    void behaviorMakesAcquireAllFailAndReleaseWhatItTook() {
        Path a = Path.of("records", "a.json");
        locks.setLockBehavior(file, MockFileLockService.Behavior.ERROR);

        LockResult result = await(locks.acquireAll(List.of(file, a), WAIT));

        assertEquals(LockResult.Reason.ERROR, assertInstanceOf(LockResult.Failed.class, result).reason());
        assertEquals(1, locks.grantCount(a));
        assertFalse(await(locks.isLocked(a)));
    }

    @Test
    void contentionLooksLikeAForeignHolderUntilCleared() {
        LockHolder foreign = locks.simulateContention(file);

        assertTrue(await(locks.isLocked(file)));
        assertEquals(List.of(foreign), locks.currentHolders(file));
        LockResult.Failed failure = failed(locks.acquire(file, TestConfig.lockOptions()
                .withTimeout(Duration.ofMillis(100)).withRetryInterval(Duration.ofMillis(10))));
        assertEquals(LockResult.Reason.TIMEOUT, failure.reason());
        assertEquals(MockFileLockService.FOREIGN_HOSTNAME, failure.holder().orElseThrow().hostname());
        assertTrue(failure.holder().orElseThrow().fencingToken().isEmpty());

        locks.clearContention(file);

        assertFalse(await(locks.isLocked(file)));
        assertTrue(acquired(file, NO_WAIT).isHeld());
    }

    @Test
    void clearingContentionGrantsTheWaiter() {
        locks.simulateContention(file);
        UniAssertSubscriber<LockResult> waiter = locks.acquire(file, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        Awaitility.await().atMost(AWAIT).until(() -> locks.waitingCount(file) == 1);

        locks.clearContention(file);

        LockResult granted = waiter.awaitItem(AWAIT).getItem();
        assertTrue(assertInstanceOf(LockResult.Acquired.class, granted).handle().isHeld());
        assertEquals(0, locks.waitingCount(file));
    }

    @Test
    void countersFollowAcquisitionsGrantsAndReleases() {
        LockHandle first = acquired(file, NO_WAIT);
        failed(locks.acquire(file, NO_WAIT));
        await(first.release());
        await(first.release());
        await(locks.withLock(file, () -> Uni.createFrom().item(1), NO_WAIT));

        assertEquals(3, locks.acquireCount(file));
        assertEquals(2, locks.grantCount(file));
        assertEquals(2, locks.releaseCount(file));
        assertEquals(List.of(), locks.currentHolders(file));
    }

    @Test
    void currentHoldersListsSharedHoldersWithTheirTokens() {
        LockHandle one = acquired(file, NO_WAIT.withType(LockType.SHARED));
        LockHandle two = acquired(file, NO_WAIT.withType(LockType.SHARED));

        List<LockHolder> holders = locks.currentHolders(file);

        assertEquals(List.of(one.fencingToken(), two.fencingToken()),
                holders.stream().map(h -> h.fencingToken().orElseThrow()).toList());
        assertEquals(ProcessHandle.current().pid(), holders.get(0).pid());
    }

    @Test
    void resetForgetsHoldersBehaviorsContentionAndCounters() {
        Path busy = Path.of("records", "busy.json");
        LockHandle held = acquired(file, NO_WAIT);
        locks.setLockBehavior(busy, MockFileLockService.Behavior.ERROR);
        locks.simulateContention(Path.of("records", "contended.json"));

        locks.reset();

        assertFalse(held.isHeld());
        assertFalse(await(locks.isLocked(file)));
        assertFalse(await(locks.isLocked(Path.of("records", "contended.json"))));
        assertEquals(0, locks.acquireCount(file));
        assertTrue(acquired(busy, NO_WAIT).isHeld());
    }

    @Test
    void resetFailsWaitersWithError() {
        acquired(file, NO_WAIT);
        UniAssertSubscriber<LockResult> waiter = locks.acquire(file, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        Awaitility.await().atMost(AWAIT).until(() -> locks.waitingCount(file) == 1);

        locks.reset();

        LockResult result = waiter.awaitItem(AWAIT).getItem();
        assertEquals(LockResult.Reason.ERROR, assertInstanceOf(LockResult.Failed.class, result).reason());
    }

    @Test
    void resetNeverRewindsFencingTokens() {
        LockHandle before = acquired(file, NO_WAIT);
        locks.reset();

        LockHandle after = acquired(file, NO_WAIT);

        assertTrue(after.fencingToken() > before.fencingToken());
    }

    @Test
    void releaseOfAHandleFromBeforeResetLeavesTheNewHolderAlone() {
        LockHandle before = acquired(file, NO_WAIT);
        locks.reset();
        LockHandle after = acquired(file, NO_WAIT);

        await(before.release());

        assertTrue(after.isHeld());
        assertTrue(await(locks.isLocked(file)));
    }

    @Test
    void leaseEndsUnlessRenewed() {
        LockHandle lease = acquired(file, NO_WAIT.withLease(Duration.ofMillis(150)));
        assertTrue(lease.expiresAt().isPresent());

        Awaitility.await().atMost(AWAIT).until(() -> !lease.isHeld());

        assertFalse(await(locks.isLocked(file)));
        assertThrows(LockLostException.class, () -> await(lease.renew(Duration.ofSeconds(1))));
    }

    @Test
    void renewExtendsALease() {
        LockHandle lease = acquired(file, NO_WAIT.withLease(Duration.ofMillis(200)));

        LockHandle renewed = await(lease.renew(Duration.ofSeconds(30)));

        assertSame(lease, renewed);
        assertTrue(renewed.expiresAt().orElseThrow().isAfter(lease.acquiredAt().plusSeconds(20)));
        Awaitility.await().during(Duration.ofMillis(400)).atMost(AWAIT).until(lease::isHeld);
    }

    @Test
    void renewOfAHeldLockWithoutLeaseKeepsItWithoutExpiry() {
        LockHandle handle = acquired(file, NO_WAIT);

        LockHandle renewed = await(handle.renew(Duration.ofMillis(1)));

        assertTrue(renewed.expiresAt().isEmpty());
        assertTrue(renewed.isHeld());
    }

    @Test
    void acquireWithoutSubscriptionTakesNothing() {
        locks.acquire(file, NO_WAIT);

        assertEquals(0, locks.acquireCount(file));
        assertFalse(await(locks.isLocked(file)));
    }

    @Test
    void cancelledWaiterLeavesTheQueue() {
        acquired(file, NO_WAIT);
        UniAssertSubscriber<LockResult> waiter = locks.acquire(file, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        Awaitility.await().atMost(AWAIT).until(() -> locks.waitingCount(file) == 1);

        waiter.cancel();

        assertEquals(0, locks.waitingCount(file));
    }

    @Test
    void sharedRequestQueuesBehindAWaitingExclusiveOne() {
        LockHandle reader = acquired(file, NO_WAIT.withType(LockType.SHARED));
        UniAssertSubscriber<LockResult> writer = locks.acquire(file, WAIT)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        Awaitility.await().atMost(AWAIT).until(() -> locks.waitingCount(file) == 1);

        LockResult lateReader = await(locks.acquire(file, NO_WAIT.withType(LockType.SHARED)));

        assertEquals(LockResult.Reason.LOCKED, assertInstanceOf(LockResult.Failed.class, lateReader).reason());
        await(reader.release());
        assertInstanceOf(LockResult.Acquired.class, writer.awaitItem(AWAIT).getItem());
    }

    private static <T> T await(Uni<T> uni) {
        return uni.await().atMost(AWAIT);
    }

    private LockHandle acquired(Path path, LockOptions options) {
        return assertInstanceOf(LockResult.Acquired.class, await(locks.acquire(path, options))).handle();
    }

    private LockResult.Failed failed(Uni<LockResult> result) {
        return assertInstanceOf(LockResult.Failed.class, await(result));
    }
}
