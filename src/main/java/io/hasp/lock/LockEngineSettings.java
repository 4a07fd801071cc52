package io.hasp.lock;

import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

import io.hasp.HaspConfig;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Settings of {@link LockFileEngine} that are not per acquisition.
 *
 * @param staleAfter   heartbeat silence after which a remote holder is stale; holders beat every fifth of it
 * @param retryCap     longest wait between two attempts
 * @param proceedWithoutLockOnFailure the plan's fallback: {@code withLock} runs unlocked when the lock cannot be
 *                     had, with a warning. Off unless configured.
 * @param blocking     where the short blocking file operations run (the worker pool, never the event loop)
 * @param clock        wall clock for timestamps and lease ends
 * @param nanoTime     monotonic clock for deadlines and staleness
 */
public record LockEngineSettings(Duration staleAfter, Duration retryCap, boolean proceedWithoutLockOnFailure,
                                 Executor blocking, Clock clock, LongSupplier nanoTime) {

    public LockEngineSettings {
        Objects.requireNonNull(staleAfter, "staleAfter");
        Objects.requireNonNull(retryCap, "retryCap");
        Objects.requireNonNull(blocking, "blocking");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(nanoTime, "nanoTime");
        if (staleAfter.toMillis() < 50) {
            throw new IllegalArgumentException("staleAfter must be at least 50 ms");
        }
        if (retryCap.toMillis() < 1) {
            throw new IllegalArgumentException("retryCap must be at least 1 ms");
        }
    }

    /**
     * The settings {@code hasp.lock.*} gives, with blocking work on the worker pool and the system's monotonic time.
     */
    public static LockEngineSettings of(HaspConfig config, Clock clock) {
        HaspConfig.Lock lock = config.lock();
        return new LockEngineSettings(lock.staleAfter(), lock.retryCap(), lock.proceedWithoutLockOnFailure(),
                Infrastructure.getDefaultWorkerPool(), clock, System::nanoTime);
    }

    public LockEngineSettings withStaleAfter(Duration value) {
        return new LockEngineSettings(value, retryCap, proceedWithoutLockOnFailure, blocking, clock, nanoTime);
    }

    public LockEngineSettings withRetryCap(Duration value) {
        return new LockEngineSettings(staleAfter, value, proceedWithoutLockOnFailure, blocking, clock, nanoTime);
    }

    public LockEngineSettings withProceedWithoutLockOnFailure(boolean value) {
        return new LockEngineSettings(staleAfter, retryCap, value, blocking, clock, nanoTime);
    }

    public LockEngineSettings withClock(Clock value) {
        return new LockEngineSettings(staleAfter, retryCap, proceedWithoutLockOnFailure, blocking, value, nanoTime);
    }
}
