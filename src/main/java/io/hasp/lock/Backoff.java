package io.hasp.lock;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with jitter and a cap, as a small named policy: the wait before retry {@code n} (1-based) is
 * {@code min(cap, initial * 2^(n-1))}, scaled down by a random factor in {@code [0.5, 1]} so that waiters in
 * different processes drift apart instead of waking together.
 */
record Backoff(Duration initial, Duration cap) {

    Backoff {
        if (initial.isNegative() || initial.isZero() || cap.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= cap");
        }
    }

    long delayNanos(int retry) {
        long base = initial.toNanos();
        int shift = Math.min(Math.max(retry - 1, 0), 30);
        long raw = base << shift;
        long capped = raw <= 0 || raw > cap.toNanos() ? cap.toNanos() : raw;
        double factor = 0.5 + ThreadLocalRandom.current().nextDouble() * 0.5;
        return Math.max(1, (long) (capped * factor));
    }
}
