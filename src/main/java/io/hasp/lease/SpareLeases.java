package io.hasp.lease;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.hasp.etcd.EtcdClient;

/**
 * etcd leases ready for the next grant, so that granting a lock usually costs one transaction and not a lease grant
 * too. Every lease grant and revocation is a write that etcd must agree on and fsync, as costly as the lock's own
 * transaction, so a released grant's lease, once its key is deleted, is kept here for the next grant of the same
 * length instead of being revoked. A lease carries at most one grant key at any time: it is handed to one acquisition
 * only, and only after the key of its previous grant is gone. It is renewed when it is taken back
 * ({@code LeaseKeepAlive}, which etcd's leader answers without a write, in the background); the acquisition that
 * takes it renews it again only when that was more than a second (or a third of its TTL) ago, and grants a new lease
 * when it has ended.
 *
 * <p>At most {@value #PER_TTL} leases are kept per lease length, for at most {@value #MAX_TTLS} lengths; a lease
 * beyond that is revoked. When none is ready, the acquisition grants one itself and one more is granted in the
 * background. Leases kept by a replica that dies expire with their TTL.
 */
final class SpareLeases {

    static final int PER_TTL = 2;
    static final int MAX_TTLS = 8;
    private static final Logger LOG = Logger.getLogger(SpareLeases.class);

    private final EtcdClient etcd;
    private final Map<Long, Pool> pools = new ConcurrentHashMap<>();

    /**
     * A lease ready for a grant.
     *
     * @param renewedNanos when it was last granted or renewed (sent), on the monotonic clock
     * @param renewedAt    the same on the wall clock
     */
    record Spare(long id, long ttl, long renewedNanos, Instant renewedAt) {
    }

    private static final class Pool {
        final ConcurrentLinkedDeque<Spare> ready = new ConcurrentLinkedDeque<>();
        final AtomicInteger coming = new AtomicInteger();
    }

    SpareLeases(EtcdClient etcd) {
        this.etcd = etcd;
    }

    /** A lease of {@code ttlSeconds}, if one is ready; when none is, one more is asked for in the background. */
    Optional<Spare> take(long ttlSeconds) {
        Pool pool = pool(ttlSeconds);
        if (pool == null) {
            return Optional.empty();
        }
        Spare s = pool.ready.pollFirst();
        if (s == null && pool.coming.get() == 0) {
            pool.coming.incrementAndGet();
            long sentNanos = System.nanoTime();
            Instant sentAt = Instant.now();
            etcd.grant(ttlSeconds).subscribe().with(r -> {
                keepOrRevoke(pool, new Spare(r.getID(), r.getTTL(), sentNanos, sentAt));
                pool.coming.decrementAndGet();
            }, f -> {
                pool.coming.decrementAndGet();
                LOG.debugf("spare lease not granted: %s", f.getMessage());
            });
        }
        return Optional.ofNullable(s);
    }

    /**
     * Takes back the lease of a released grant, whose key is already deleted, for a later grant of {@code ttlSeconds}
     * (the length it was granted with): it is renewed now, in the background, and kept if it is still alive (it is
     * revoked when enough are kept).
     */
    void giveBack(long leaseId, long ttlSeconds) {
        Pool pool = pool(ttlSeconds);
        if (pool == null || pool.ready.size() >= PER_TTL) {
            revoke(leaseId);
            return;
        }
        long sentNanos = System.nanoTime();
        Instant sentAt = Instant.now();
        etcd.keepAlive(leaseId).subscribe().with(left -> {
            if (left > 0) {
                keepOrRevoke(pool, new Spare(leaseId, left, sentNanos, sentAt));
            }
        }, f -> LOG.debugf("released lease not renewed, it will expire: %s", f.getMessage()));
    }

    private Pool pool(long ttlSeconds) {
        Pool pool = pools.get(ttlSeconds);
        if (pool == null && pools.size() < MAX_TTLS) {
            pool = pools.computeIfAbsent(ttlSeconds, t -> new Pool());
        }
        return pool;
    }

    private void keepOrRevoke(Pool pool, Spare spare) {
        if (pool.ready.size() < PER_TTL) {
            pool.ready.addLast(spare);
        } else {
            revoke(spare.id());
        }
    }

    void revoke(long id) {
        if (id == 0) {
            return;
        }
        etcd.revoke(id).subscribe().with(v -> { }, f -> LOG.debugf("lease not revoked, it will expire: %s",
                f.getMessage()));
    }
}
