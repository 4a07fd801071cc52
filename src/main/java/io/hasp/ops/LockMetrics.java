package io.hasp.ops;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.hasp.lock.LockEvents;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The lock engine's events as Micrometer meters (the names are listed in {@code docs/metrics.md}). The engine's one
 * {@link LockEvents} bean, {@link EngineEvents}, passes them on; this bean is typed as itself only, so that the engine
 * finds exactly that one. The named-lock backends and the sweeper report here directly.
 * Every meter is registered up front, so that a scrape shows zeros rather than nothing before the first event.
 */
@ApplicationScoped
@Typed(LockMetrics.class)
public class LockMetrics implements LockEvents {

    private final Map<LockResult.Reason, Counter> failures = new EnumMap<>(LockResult.Reason.class);
    private final Map<LockResult.Reason, Timer> failedWaits = new EnumMap<>(LockResult.Reason.class);
    private final Counter acquired;
    private final Timer acquiredWait;
    private final Timer hold;
    private final Counter handoffs;
    private final Counter staleBroken;
    private final Counter leasesExpired;
    private final Counter forceReleased;
    private final Counter forceNotHeld;
    private final AtomicInteger namedHolders = new AtomicInteger();

    @Inject
    public LockMetrics(MeterRegistry registry) {
        acquired = acquisitions(registry, "acquired");
        acquiredWait = waits(registry, "acquired");
        for (LockResult.Reason r : LockResult.Reason.values()) {
            failures.put(r, acquisitions(registry, r.wireName()));
            failedWaits.put(r, waits(registry, r.wireName()));
        }
        hold = Timer.builder("hasp.locks.hold")
                .description("How long grants were held, from grant to release (expired leases are not counted)")
                .register(registry);
        handoffs = counter(registry, "hasp.locks.handoffs",
                "Releases that handed the lock straight to the next waiter of this process");
        staleBroken = counter(registry, "hasp.locks.stale.broken",
                "Stale process locks removed (dead or silent holders), by acquirers and the sweeper");
        leasesExpired = counter(registry, "hasp.leases.expired",
                "Leases removed after their expiresAt passed unrenewed");
        forceReleased = forceReleases(registry, "released");
        forceNotHeld = forceReleases(registry, "not-held");
        Gauge.builder("hasp.locks.holders", namedHolders, AtomicInteger::get)
                .description("Live holders of named locks, across every replica, as counted by the last sweep")
                .register(registry);
    }

    private static Counter acquisitions(MeterRegistry registry, String outcome) {
        return counter(registry, "hasp.locks.acquisitions",
                "Finished acquisitions, by outcome: acquired, timeout, locked, error", "outcome", outcome);
    }

    private static Counter forceReleases(MeterRegistry registry, String outcome) {
        return counter(registry, "hasp.locks.force.releases", "Operators' force releases of named locks "
                + "(DELETE /v1/locks/{name}), by outcome: released (something was held), not-held", "outcome", outcome);
    }

    /** A counter registered with its description and tags (key, value, ...). */
    private static Counter counter(MeterRegistry registry, String name, String description, String... tags) {
        return Counter.builder(name).tags(tags).description(description).register(registry);
    }

    private static Timer waits(MeterRegistry registry, String outcome) {
        return Timer.builder("hasp.locks.wait").tag("outcome", outcome)
                .description("Time from the acquire call to its outcome")
                .register(registry);
    }

    @Override
    public void acquired(LockHandle handle, long waitNanos) {
        granted(waitNanos);
    }

    /** A grant after waiting {@code waitNanos}, for backends that have no {@link LockHandle}. */
    public void granted(long waitNanos) {
        acquired.increment();
        acquiredWait.record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void failed(LockResult.Reason reason, long waitNanos) {
        failures.get(reason).increment();
        failedWaits.get(reason).record(waitNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void released(long heldNanos) {
        hold.record(Math.max(0, heldNanos), TimeUnit.NANOSECONDS);
    }

    @Override
    public void handedOff() {
        handoffs.increment();
    }

    @Override
    public void staleBroken(boolean lease) {
        (lease ? leasesExpired : staleBroken).increment();
    }

    /** Counts one force release by an operator: {@code held} whether it ended any grant. */
    public void forceReleased(boolean held) {
        (held ? forceReleased : forceNotHeld).increment();
    }

    /** Records the number of live named-lock holders the sweeper just counted. */
    public void namedHolders(int count) {
        namedHolders.set(count);
    }
}
