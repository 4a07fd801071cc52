package io.hasp.lock;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiPredicate;
import java.util.function.LongSupplier;

/**
 * Decides whether a holder recorded in a lock file is stale, i.e. may be removed by someone else.
 *
 * <ol>
 *   <li>A lease is stale once its {@code expiresAt} has passed, whoever granted it: leases outlive processes.</li>
 *   <li>A holder of this very process is stale only when its grant is no longer live here (a leftover of a
 *       failed release).</li>
 *   <li>A holder of this machine (same hostname, same pid namespace, same boot) is stale at once when its process
 *       is gone or its pid now belongs to a process with another start time; alive, it is never stale, however
 *       long it holds. Same machine but another boot id: stale at once. This rule needs the pid namespace on both
 *       sides: the holder must have recorded one and this process must know its own, and they must be equal. A pid
 *       means nothing outside its namespace, so a holder without one (a plan-only file {@code {pid, timestamp,
 *       hostname}}, perhaps from a sidecar container that shares our hostname) is never judged by
 *       {@code kill(pid, 0)} or a process start time: it falls to the next rule.</li>
 *   <li>Any other holder (another host, another container, a holder of unknown pid namespace, or a file we cannot
 *       parse) is stale once its heartbeat (or, without one, the whole file) has not changed for
 *       {@code stale-after}, measured on this process' monotonic clock from the moment this judge first saw that
 *       value. Remote clocks are never compared with ours.</li>
 * </ol>
 */
final class StalenessJudge {

    private final Duration staleAfter;
    private final Clock clock;
    private final LongSupplier nanoTime;
    /** Whether a holder entry of this process (by owner id) is live for a lock file (by path). */
    private final BiPredicate<String, String> liveOwners;
    private final Map<String, Observation> observations = new ConcurrentHashMap<>();

    private record Observation(String value, long firstSeenNanos, long lastSeenNanos) {
    }

    StalenessJudge(Duration staleAfter, Clock clock, LongSupplier nanoTime, BiPredicate<String, String> liveOwners) {
        this.staleAfter = staleAfter;
        this.clock = clock;
        this.nanoTime = nanoTime;
        this.liveOwners = liveOwners;
    }

    boolean isStale(String lockKey, LockFileContent.Holder holder, String rawFingerprint) {
        if (holder.isLease()) {
            return LockFileContent.parse(holder.expiresAt()).map(e -> !clock.instant().isBefore(e)).orElse(true);
        }
        ProcessIdentity self = ProcessIdentity.current();
        String host = holder.hostname();
        if (host != null && holder.pid() != null && knownNamespace(self, holder)) {
            if (self.rebootedSince(host, holder.pidNamespace(), holder.bootId())) {
                return true;
            }
            if (self.sharesProcessTable(host, holder.pidNamespace(), holder.bootId())) {
                Instant start = LockFileContent.parse(holder.processStart()).orElse(null);
                if (holder.pid() == self.pid() && holder.owner() != null
                        && sameStart(start, self.processStart().orElse(null))) {
                    return !liveOwners.test(holder.owner(), lockKey);
                }
                return !ProcessIdentity.isAlive(holder.pid(), start);
            }
        }
        String value = holder.heartbeat() != null ? "hb:" + holder.heartbeat() : "raw:" + rawFingerprint;
        return silentFor(lockKey + "|" + holder.owner(), value) >= staleAfter.toNanos();
    }

    /** Whether the holder's pid namespace is known on both sides: only then can its pid be judged here. */
    private static boolean knownNamespace(ProcessIdentity self, LockFileContent.Holder holder) {
        return holder.pidNamespace() != null && self.pidNamespace().isPresent();
    }

    /** Stale judgment of a lock file whose content cannot be parsed (being written, or foreign). */
    boolean isUnreadableStale(String lockKey, String rawFingerprint) {
        return silentFor(lockKey + "|?", "raw:" + rawFingerprint) >= staleAfter.toNanos();
    }

    private static boolean sameStart(Instant a, Instant b) {
        return a == null || b == null || Duration.between(a, b).abs().toSeconds() < 2;
    }

    private long silentFor(String key, String value) {
        long now = nanoTime.getAsLong();
        Observation seen = observations.compute(key, (k, old) ->
                old != null && old.value().equals(value)
                        ? new Observation(value, old.firstSeenNanos(), now)
                        : new Observation(value, now, now));
        return now - seen.firstSeenNanos();
    }

    /** Drops observations not refreshed for ten {@code stale-after}: their locks are long gone. */
    void forgetOldObservations() {
        long now = nanoTime.getAsLong();
        long horizon = staleAfter.toNanos() * 10;
        observations.values().removeIf(o -> now - o.lastSeenNanos() > horizon);
    }
}
