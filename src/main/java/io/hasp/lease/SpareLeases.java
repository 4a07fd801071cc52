package io.hasp.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

import org.jboss.logging.Logger;

import io.hasp.etcd.EtcdClient;

/**
 * etcd leases granted ahead of need, so that granting a lock costs one transaction instead of a lease grant and a
 * transaction, one after the other. Each grant still gets a lease of its own: a spare is taken by one acquisition
 * only.
 * A few spares are kept for each lease length in use (at most {@value #PER_TTL} each, for at most {@value #MAX_TTLS}
 * lengths); one taken is replaced in the background. A spare granted more than a third of its TTL ago is not handed
 * out (it is revoked), so a taken lease always has most of its TTL left, and the acquisition renews it when it grants
 * the lock anyway. Spares of a replica that dies simply expire.
 */
final class SpareLeases {

    static final int PER_TTL = 2;
    static final int MAX_TTLS = 8;
    private static final Logger LOG = Logger.getLogger(SpareLeases.class);

    private final EtcdClient etcd;
    private final Map<Long, Pool> pools = new ConcurrentHashMap<>();

    /** A lease granted ahead; {@code grantedNanos} and {@code grantedAt} are when the grant was sent. */
    record Spare(long id, long ttl, long grantedNanos, Instant grantedAt) {
    }

    private static final class Pool {
        final ConcurrentLinkedDeque<Spare> ready = new ConcurrentLinkedDeque<>();
        final AtomicInteger coming = new AtomicInteger();
    }

    SpareLeases(EtcdClient etcd) {
        this.etcd = etcd;
    }

    /** A spare lease of {@code ttlSeconds} (as asked), if one is ready; asks for a replacement either way. */
    Optional<Spare> take(long ttlSeconds) {
        Pool pool = pools.get(ttlSeconds);
        if (pool == null) {
            if (pools.size() >= MAX_TTLS) {
                return Optional.empty();
            }
            pool = pools.computeIfAbsent(ttlSeconds, t -> new Pool());
        }
        Spare found = null;
        for (Spare s = pool.ready.pollFirst(); s != null; s = pool.ready.pollFirst()) {
            if (System.nanoTime() - s.grantedNanos() < Duration.ofSeconds(s.ttl()).toNanos() / 3) {
                found = s;
                break;
            }
            revoke(s.id());
        }
        refill(ttlSeconds, pool);
        return Optional.ofNullable(found);
    }

    private void refill(long ttlSeconds, Pool pool) {
        while (pool.ready.size() + pool.coming.get() < PER_TTL) {
            pool.coming.incrementAndGet();
            long sentNanos = System.nanoTime();
            Instant sentAt = Instant.now();
            etcd.grant(ttlSeconds).subscribe().with(r -> {
                pool.ready.addLast(new Spare(r.getID(), r.getTTL(), sentNanos, sentAt));
                pool.coming.decrementAndGet();
            }, f -> {
                pool.coming.decrementAndGet();
                LOG.debugf("spare lease not granted: %s", f.getMessage());
            });
        }
    }

    private void revoke(long id) {
        etcd.revoke(id).subscribe().with(v -> { }, f -> LOG.debugf("stale spare lease not revoked, it will expire: %s",
                f.getMessage()));
    }
}
