package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;

/** Leases released by lock id (the HTTP path): hold time is reported once, and no grant id is kept afterwards. */
class LeaseReleaseEventsTest {

    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private final List<Long> heldNanos = new CopyOnWriteArrayList<>();
    private final LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine(), new LockEvents() {
        @Override
        public void released(long nanos) {
            heldNanos.add(nanos);
        }
    });

    @AfterEach
    void close() {
        engine.close();
    }

    private LockHandle lease(Path res) {
        LockResult r = engine.acquire(res, LockOptions.defaults().withLease(Duration.ofSeconds(30)))
                .await().atMost(WAIT);
        return assertInstanceOf(LockResult.Acquired.class, r, r::toString).handle();
    }

    @Test
    void leaseReleasedByLockIdReportsItsHoldTimeOnce() {
        Path res = dir.resolve("a");
        LockHandle h = lease(res);
        assertTrue(engine.release(res, h.lockId()).await().atMost(WAIT));
        assertEquals(1, heldNanos.size(), heldNanos::toString);
        assertTrue(heldNanos.get(0) >= 0 && heldNanos.get(0) < WAIT.toNanos(), heldNanos::toString);
    }

    @Test
    void leaseReleasedThroughItsHandleReportsItsHoldTimeOnce() {
        LockHandle h = lease(dir.resolve("b"));
        h.release().await().atMost(WAIT);
        assertEquals(1, heldNanos.size(), heldNanos::toString);
    }

    @Test
    void leasesReleasedByLockIdLeaveNoLiveOwnerBehind() {
        int before = engine.localGrants();
        for (int i = 0; i < 50; i++) {
            Path res = dir.resolve("c" + i);
            LockHandle h = lease(res);
            assertTrue(engine.release(res, h.lockId()).await().atMost(WAIT));
        }
        assertEquals(before, engine.localGrants());
    }
}
