package io.hasp.lock;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import io.hasp.ValidationException;

/**
 * How to acquire a lock: how long to wait, how often to try, which type. Immutable; invalid values are refused at
 * construction.
 *
 * @param timeout       longest wait before giving up with {@link LockResult.Reason#TIMEOUT}; zero means one attempt
 * @param retryInterval first wait between attempts; later waits double, with jitter, up to a cap
 * @param maxRetries    attempts that find the lock busy before giving up with {@link LockResult.Reason#LOCKED}
 * @param type          exclusive or shared
 * @param lease         empty for a lock held by this process (kept alive by its heartbeat, gone with the process);
 *                      present for a lease: the lock outlives this process and expires at the end of the lease
 *                      unless renewed, by any process sharing the directory
 */
public record LockOptions(Duration timeout, Duration retryInterval, int maxRetries, LockType type,
                          Optional<Duration> lease) {

    /** Upper bound on any duration given here: longer values are a mistake, not a wish. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);

    /** The plan's defaults: 30 s, 100 ms, 10 retries, exclusive, no lease. */
    public static final LockOptions DEFAULTS =
            new LockOptions(Duration.ofSeconds(30), Duration.ofMillis(100), 10, LockType.EXCLUSIVE, Optional.empty());

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

    private static void requireRange(String name, Duration value, Duration min) {
        if (value.compareTo(min) < 0 || value.compareTo(MAX_DURATION) > 0) {
            throw new ValidationException(name + " must be between " + min.toMillis() + " ms and "
                    + MAX_DURATION.toMillis() + " ms");
        }
    }

    public static LockOptions defaults() {
        return DEFAULTS;
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
