package io.hasp.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.hasp.HaspConfig;
import io.hasp.ValidationException;

/**
 * How to acquire a lock: how long to wait, how often to try, which type. Immutable; invalid values are refused at
 * construction.
 *
 * @param timeout       longest wait before giving up with {@link LockResult.Reason#TIMEOUT}; zero means one attempt
 * @param retryInterval first wait between attempts; later waits double, with jitter, up to a cap
 * @param maxRetries    attempts that find the lock busy before giving up with {@link LockResult.Reason#LOCKED};
 *                      waiters are woken by releases, not by a timer, so they give up only once the pauses of that
 *                      many retries would also have passed ({@link #retriesSchedule})
 * @param type          exclusive or shared
 * @param lease         empty for a lock held by this process (kept alive by its heartbeat, gone with the process);
 *                      present for a lease: the lock outlives this process and expires at the end of the lease
 *                      unless renewed, by any process sharing the directory
 */
public record LockOptions(Duration timeout, Duration retryInterval, int maxRetries, LockType type,
                          Optional<Duration> lease) {

    /** Upper bound on any duration given here: longer values are a mistake, not a wish. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    public LockOptions {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(retryInterval, "retryInterval");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(lease, "lease");
        requireRange("timeout", timeout, Duration.ZERO);
        requireRange("retryInterval", retryInterval, Duration.ofMillis(1));
        lease.ifPresent(l -> requireRange("lease", l, Duration.ofMillis(1)));
        if (maxRetries < 0) {
            throw new ValidationException("maxRetries must not be negative");
        }
    }

    /**
     * How long {@code retries} pauses take on the backoff schedule (starting at {@code interval}, doubling, capped at
     * {@code cap}, without jitter), in nanoseconds; saturates at {@code Long.MAX_VALUE}.
     */
    public static long retriesSchedule(Duration interval, Duration cap, int retries) {
        long total = 0;
        long pause = interval.toNanos();
        long capNanos = cap.toNanos();
        for (int i = 0; i < retries; i++) {
            if (pause >= capNanos || pause > Long.MAX_VALUE / 4) {
                long step = Math.min(pause, capNanos);
                long left = retries - i;
                return step > (Long.MAX_VALUE - total) / left ? Long.MAX_VALUE : total + step * left;
            }
            total += pause;
            pause *= 2;
        }
        return total;
    }

    private static void requireRange(String name, Duration value, Duration min) {
        if (value.compareTo(min) < 0 || value.compareTo(MAX_DURATION) > 0) {
            throw new ValidationException(name + " must be between " + min.toMillis() + " ms and "
                    + MAX_DURATION.toMillis() + " ms");
        }
    }

    /**
     * The options {@code hasp.lock.*} configures (timeout, retry interval, retries), exclusive, no lease: what a
     * record change and a lock taken without options use. Their defaults are in {@link HaspConfig.Lock} only.
     */
    public static LockOptions of(HaspConfig config) {
        HaspConfig.Lock lock = config.lock();
        return new LockOptions(lock.timeout(), lock.retryInterval(), lock.maxRetries(), LockType.EXCLUSIVE,
                Optional.empty());
    }

    public LockOptions withTimeout(Duration value) {
        return new LockOptions(value, retryInterval, maxRetries, type, lease);
    }

    public LockOptions withRetryInterval(Duration value) {
        return new LockOptions(timeout, value, maxRetries, type, lease);
    }

    public LockOptions withMaxRetries(int value) {
        return new LockOptions(timeout, retryInterval, value, type, lease);
    }

    public LockOptions withType(LockType value) {
        return new LockOptions(timeout, retryInterval, maxRetries, value, lease);
    }

    public LockOptions withLease(Duration value) {
        return new LockOptions(timeout, retryInterval, maxRetries, type, Optional.of(value));
    }
}
