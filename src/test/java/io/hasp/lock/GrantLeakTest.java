package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.smallrye.mutiny.Uni;

/**
 * Waiters that give up (timeout) at the moment a release hands them the lock must not keep it: the grant is
 * released, not leaked (issue 8, defect 3). Many short-timeout waiters on one resource make the race frequent.
 */
class GrantLeakTest {

    @TempDir
    Path dir;

    private LockFileEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    @Test
    void waitersTimingOutDuringHandOversLeakNoGrant() {
        engine = new LockFileEngine(TestConfig.lockEngine().withRetryCap(Duration.ofMillis(20)));
        Path res = dir.resolve("q.json");
        Random random = new Random(42);
        AtomicInteger granted = new AtomicInteger();
        AtomicInteger gaveUp = new AtomicInteger();
        for (int round = 0; round < 30; round++) {
            List<Uni<Void>> all = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                LockOptions options = LockOptions.defaults().withMaxRetries(1_000_000)
                        .withRetryInterval(Duration.ofMillis(1))
                        .withTimeout(Duration.ofMillis(1 + random.nextInt(15)));
                // each holder keeps the lock a millisecond: most of 40 waiters time out, many during a hand-over
                all.add(engine.withLock(res, () -> Uni.createFrom().item(granted::incrementAndGet).onItem()
                                .delayIt().by(Duration.ofMillis(1)), options)
                        .replaceWithVoid()
                        .onFailure(LockException.class).recoverWithItem(f -> {
                            gaveUp.incrementAndGet();
                            return null;
                        }));
            }
            Uni.join().all(all).andCollectFailures().await().atMost(Duration.ofSeconds(30));
        }
        assertTrue(granted.get() > 0 && gaveUp.get() > 0, granted + " granted, " + gaveUp + " gave up");
        LockResult last = engine.acquire(res, LockOptions.defaults().withTimeout(Duration.ofSeconds(2)))
                .await().atMost(Duration.ofSeconds(10));
        LockHandle h = assertInstanceOf(LockResult.Acquired.class, last,
                () -> "after " + granted + " grants and " + gaveUp + " give-ups: " + last).handle();
        h.release().await().atMost(Duration.ofSeconds(10));
        assertEquals(0, engine.localGrants(), "no grant of this JVM is still held");
    }
}
