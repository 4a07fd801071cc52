package io.hasp.lock;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import io.smallrye.mutiny.Uni;

/**
 * The one wait policy of the engine: how long an acquisition pauses after an attempt that did not get the lock.
 * Every pause ends early when the waiter is woken (a release in this JVM, its turn coming, a notification that the
 * lock file changed); the timer below is only what happens when no such event comes.
 *
 * <ul>
 *   <li>{@link Kind#QUEUED} (another waiter of this JVM is first, or processes before this one hold the turn): the
 *       wake-up comes from the event; the timer is a safety net of {@code retry-cap}.</li>
 *   <li>{@link Kind#HELD} (this waiter's turn, but the lock file is held): exponential backoff from the request's
 *       retry interval, with jitter in [0.5, 1], capped at {@code retry-cap} and at the end of the holder's lease. A
 *       release on this host rings the doorbell long before; the timer catches holders on other hosts and leases
 *       that end.</li>
 *   <li>{@link Kind#GUARD} (another process kept the guard): one millisecond.</li>
 * </ul>
 * Whether to give up (deadline passed, or {@code maxRetries} attempts found the lock held) is decided by the
 * attempt itself, atomically with grants; the pause never decides.
 */
final class WaitPolicy {

    /** Why an attempt did not get the lock. */
    enum Kind { QUEUED, HELD, GUARD }

    /** An attempt that did not get the lock; the retry loop pauses and tries again. */
    static final class Busy extends RuntimeException {
        final Kind kind;

        Busy(Kind kind) {
            super(kind.name(), null, false, false);
            this.kind = kind;
        }
    }

    /** Ends the retries with a failed result. */
    static final class GiveUp extends RuntimeException {
        final LockResult.Failed failed;

        GiveUp(LockResult.Failed failed) {
            super(failed.message(), null, false, false);
            this.failed = failed;
        }
    }

    /** The message of a failed acquisition: what happened, on which resource, held by whom. */
    static String describe(String what, java.nio.file.Path resource, java.util.Optional<LockHolder> holder) {
        String name = resource.getFileName() == null ? "resource" : resource.getFileName().toString();
        return what + " on " + name + holder.map(h -> ": held by " + h.describe()).orElse("");
    }

    private static final long MIN_TIMER_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Duration retryCap;
    private final Clock clock;
    private final LongSupplier nanoTime;

    WaitPolicy(Duration retryCap, Clock clock, LongSupplier nanoTime) {
        this.retryCap = retryCap;
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** The pause of {@code w} after an attempt that ended {@code busy}. */
    Uni<Object> pause(Waiter w, Busy busy) {
        long delay = switch (busy.kind) {
            case QUEUED -> retryCap.toNanos();
            case HELD -> Math.min(backoff(w), untilHolderEnds(w));
            case GUARD -> MIN_TIMER_NANOS;
        };
        long remaining = w.deadlineNanos - nanoTime.getAsLong();
        // Mutiny refuses timers under 1 ms; a shorter wait (the last sliver before a deadline) becomes 1 ms
        delay = Math.max(Math.min(delay, remaining), MIN_TIMER_NANOS);
        Uni<Object> timer = Uni.createFrom().item((Object) Boolean.TRUE).onItem().delayIt()
                .by(Duration.ofNanos(delay));
        Uni<Object> wake = Uni.createFrom().<Object>emitter(w::registerWake);
        return Uni.combine().any().of(timer, wake);
    }

    /** {@code min(cap, initial * 2^(n-1))} for the n-th busy attempt, scaled by a random factor in [0.5, 1]. */
    private long backoff(Waiter w) {
        long cap = retryCap.toNanos();
        long base = Math.min(w.options.retryInterval().toNanos(), cap);
        int shift = Math.min(Math.max(w.retries - 1, 0), 30);
        long raw = base << shift;
        long capped = raw <= 0 || raw > cap ? cap : raw;
        double factor = 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Math.max(1, (long) (capped * factor));
    }

    private long untilHolderEnds(Waiter w) {
        if (w.holderEndsAtMillis == Long.MAX_VALUE) {
            return Long.MAX_VALUE;
        }
        long millis = w.holderEndsAtMillis - clock.millis();
        return TimeUnit.MILLISECONDS.toNanos(Math.max(1, millis + 1));
    }
}
