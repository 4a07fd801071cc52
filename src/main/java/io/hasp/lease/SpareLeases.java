package io.hasp.lease;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.hasp.etcd.EtcdClient;
import io.smallrye.mutiny.Uni;

/**
 * The etcd leases of this replica's acquisitions, and the leases kept for the next ones, so that taking a lock
 * usually costs one transaction and not a lease grant too. Every lease grant and revocation is a write that etcd's
 * quorum must agree on and fsync, as costly as the lock's own transaction: leases are granted ahead, in the
 * background, and a lease whose key was deleted by this replica's waiter giving up (and, with
 * {@code hasp.etcd.revoke-on-release=false}, by a release) is kept here for the next acquisition of the same length
 * instead of being revoked.
 *
 * <p>Why keeping is safe: a lease carries at most one key at any time. It is kept only after etcd confirmed the
 * deletion of its key (the deleting transaction's answer names the lease), and handed to one acquisition only. A late
 * renewal of the ended grant re-reads its key and answers 404; at worst its keep-alive made the lease of a newer
 * holder last longer than that holder's {@code expiresAt}, which is a lower bound anyway. A late release compares the
 * key's create revision and deletes nothing. A replica that dies leaves its kept leases to expire with their TTL.
 *
 * <p>This replica remembers when it last renewed each lease it handed out ({@link Lease}): a kept lease renewed within
 * its freshness window ({@link Lease#fresh()}) is used as it is; an older one is renewed first ({@code LeaseKeepAlive},
 * which etcd's leader answers from memory, without a write), and a new one is granted when it has ended. At most
 * {@value #PER_TTL} leases are kept per length, for at most {@value #MAX_TTLS} lengths; a lease beyond that is revoked.
 * When none is kept, the acquisition grants one and one more is granted in the background.
 */
final class SpareLeases {

    static final int PER_TTL = 16;
    static final int MAX_TTLS = 8;
    /** The longest a kept lease goes unrenewed before it is used: a second, or a tenth of a short lease. */
    static final Duration FRESH = Duration.ofSeconds(1);
    private static final long PRUNE_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final long FORGET_AFTER_NANOS = Duration.ofMinutes(1).toNanos();
    private static final Logger LOG = Logger.getLogger(SpareLeases.class);

    private final EtcdClient etcd;
    private final Map<Long, Pool> pools = new ConcurrentHashMap<>();
    /** The TTL etcd granted for a requested one (it raises short ones to its minimum). */
    private final Map<Long, Long> grantedTtl = new ConcurrentHashMap<>();
    /** The leases handed out by this replica, with their last renewal, until they are given back or forgotten. */
    private final Map<Long, Lease> lent = new ConcurrentHashMap<>();
    private final AtomicLong lastPrune = new AtomicLong(System.nanoTime());

    /**
     * A lease and its last renewal as this replica knows it.
     *
     * @param ttl          seconds, as etcd granted or renewed it
     * @param renewedNanos when it was last granted or renewed (sent), on the monotonic clock
     * @param renewedAt    the same on the wall clock, for {@code expiresAt}
     */
    record Lease(long id, long ttl, long renewedNanos, Instant renewedAt) {

        /** A third of the TTL: how often a waiter renews it. */
        long refreshNanos() {
            return Duration.ofSeconds(ttl).toNanos() / 3;
        }

        /** Renewed recently enough that a grant on it gets nearly its whole length as {@code expiresAt}. */
        boolean fresh() {
            long window = Math.min(FRESH.toNanos(), Duration.ofSeconds(ttl).toNanos() / 10);
            return System.nanoTime() - renewedNanos < window;
        }

        /** A lower bound of its end: etcd starts counting when it applies a renewal, after it was sent. */
        Instant expiresAt() {
            return renewedAt.plusSeconds(ttl).truncatedTo(ChronoUnit.MILLIS);
        }
    }

    /** The lease is gone: expired, or revoked. */
    static final class LeaseEnded extends RuntimeException {
        LeaseEnded() {
            super("lease ended", null, false, false);
        }
    }

    private static final class Pool {
        final ConcurrentLinkedDeque<Lease> ready = new ConcurrentLinkedDeque<>();
        final AtomicInteger coming = new AtomicInteger();
    }

    SpareLeases(EtcdClient etcd) {
        this.etcd = etcd;
    }

    /** A lease of {@code ttlSeconds} for an acquisition: a kept one (renewed first unless fresh), or a new one. */
    Uni<Lease> take(long ttlSeconds) {
        Pool pool = pool(grantedTtl.getOrDefault(ttlSeconds, ttlSeconds));
        Lease kept = pool == null ? null : pool.ready.pollFirst();
        if (pool != null && pool.ready.isEmpty() && pool.coming.compareAndSet(0, 1)) {
            grant(ttlSeconds).subscribe().with(l -> {
                keep(l);
                pool.coming.set(0);
            }, f -> {
                pool.coming.set(0);
                LOG.debugf("spare lease not granted: %s", f.getMessage());
            });
        }
        Uni<Lease> lease;
        if (kept == null) {
            lease = grant(ttlSeconds);
        } else if (kept.fresh()) {
            lease = Uni.createFrom().item(kept);
        } else {
            lease = renew(kept).onFailure(LeaseEnded.class).recoverWithUni(() -> grant(ttlSeconds));
        }
        // a lease handed out here and released through another replica is never given back here: forget it in time
        prune();
        return lease.invoke(l -> lent.put(l.id(), l));
    }

    /** Renews {@code lease} once: the lease with its new renewal, or {@link LeaseEnded}. */
    Uni<Lease> renew(Lease lease) {
        long sentNanos = System.nanoTime();
        Instant sentAt = Instant.now();
        return etcd.keepAlive(lease.id()).map(left -> {
            if (left <= 0) {
                lent.remove(lease.id());
                throw new LeaseEnded();
            }
            Lease renewed = new Lease(lease.id(), left, sentNanos, sentAt);
            lent.replace(lease.id(), renewed);
            return renewed;
        });
    }

    /** Notes a renewal of lease {@code id} to {@code ttl} seconds sent at {@code sentNanos} (a renewal by lock id). */
    void renewed(long id, long ttl, long sentNanos, Instant sentAt) {
        lent.computeIfPresent(id, (k, l) -> new Lease(id, ttl, sentNanos, sentAt));
    }

    /**
     * Takes back lease {@code id}, of {@code ttlSeconds} as granted, whose key etcd has just confirmed deleted. A
     * lease this replica did not hand out (the grant was made by another replica) is renewed before its next use.
     */
    void giveBack(long id, long ttlSeconds) {
        Lease known = lent.remove(id);
        Pool pool = pool(ttlSeconds);
        if (pool == null || pool.ready.size() >= PER_TTL) {
            revoke(id);
        } else {
            pool.ready.addFirst(known != null ? known : new Lease(id, ttlSeconds, System.nanoTime() - ttlNanos(
                    ttlSeconds), Instant.EPOCH));
        }
        prune();
    }

    /** Revokes lease {@code id} in the background (deleting any key still on it); one that is gone is no failure. */
    void revoke(long id) {
        lent.remove(id);
        if (id == 0) {
            return;
        }
        etcd.revoke(id).subscribe().with(v -> { }, f -> LOG.debugf("lease not revoked, it will expire: %s",
                f.getMessage()));
    }

    private Uni<Lease> grant(long ttlSeconds) {
        long sentNanos = System.nanoTime();
        Instant sentAt = Instant.now();
        return etcd.grant(ttlSeconds).map(r -> {
            grantedTtl.put(ttlSeconds, r.getTTL());
            return new Lease(r.getID(), r.getTTL(), sentNanos, sentAt);
        });
    }

    private void keep(Lease lease) {
        Pool pool = pool(lease.ttl());
        if (pool != null && pool.ready.size() < PER_TTL) {
            pool.ready.addLast(lease);
        } else {
            revoke(lease.id());
        }
    }

    private Pool pool(long ttlSeconds) {
        Pool pool = pools.get(ttlSeconds);
        if (pool == null && pools.size() < MAX_TTLS) {
            pool = pools.computeIfAbsent(ttlSeconds, t -> new Pool());
        }
        return pool;
    }

    /** Forgets leases handed out long ago whose key was released elsewhere or expired. */
    private void prune() {
        long now = System.nanoTime();
        long last = lastPrune.get();
        if (now - last > PRUNE_EVERY_NANOS && lastPrune.compareAndSet(last, now)) {
            lent.values().removeIf(l -> now - l.renewedNanos() > ttlNanos(l.ttl()) + FORGET_AFTER_NANOS);
        }
    }

    private static long ttlNanos(long ttlSeconds) {
        return Duration.ofSeconds(ttlSeconds).toNanos();
    }
}
