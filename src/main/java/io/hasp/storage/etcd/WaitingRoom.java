package io.hasp.storage.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;

import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.DeleteRangeRequest;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.hasp.etcd.api.WatchCreateRequest;
import io.hasp.etcd.api.WatchResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Fair turns between replicas that change one record (docs/locking.md, "Fair between replicas on one record"). A
 * replica whose transaction lost its comparison is <em>waiting</em>: the failure branch of that transaction puts the
 * key {@code N waiting/K/ID/WRITER} ({@link RecordKeys#waiting}) on this replica's lease, and the success branch of
 * its transaction that goes through deletes it. The success branch of every commit reads the record's waiting keys;
 * a replica that sees another's <em>defers</em> its next batch ({@link #after}) until every waiting key it saw has
 * been deleted after its commit (that replica committed, gave up, or its lease ended), or {@link #MAX_DEFER} has passed.
 * A waiting key that made this replica defer that long, and was not put again since (its mod revision), is not
 * deferred to again: a replica that died or hangs costs the others one deferral, not one per batch.
 *
 * <p>Nothing here decides what is written: a lost or late waiting key, a broken watch or an ended lease only make the
 * turns less fair, never a change lost or made twice. One lease ({@value #TTL_SECONDS} s, renewed every
 * {@link #KEEP_ALIVE}) and one watch (the {@code N waiting/} prefix, deletions only) per replica, both made when first
 * needed.
 */
final class WaitingRoom {

    /** The lease of the waiting keys: a replica that dies stops making others defer to it within this time. */
    static final long TTL_SECONDS = 10;
    static final Duration KEEP_ALIVE = Duration.ofSeconds(3);
    /** The longest a replica defers its next batch of one record to replicas it saw waiting. */
    static final Duration MAX_DEFER = Duration.ofMillis(300);
    /** Waiting keys read with a commit: more replicas than this waiting on one record are deferred to in part. */
    static final int READ_LIMIT = 16;
    private static final Duration REWATCH = Duration.ofMillis(200);
    /** Deletions and timed-out keys remembered. */
    private static final int REMEMBERED = 512;
    private static final Logger LOG = Logger.getLogger(WaitingRoom.class);

    private final EtcdClient etcd;
    private final ByteString prefix;
    private final AtomicLong lease = new AtomicLong();
    private final AtomicBoolean granting = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final List<Deferral> deferrals = new ArrayList<>();
    /** Waiting keys deleted lately: key to the revision of the deletion. */
    private final Map<ByteString, Long> deleted = bounded();
    /** Waiting keys deferred to for {@link #MAX_DEFER} in vain: key to its mod revision then. */
    private final Map<ByteString, Long> ignored = bounded();
    private Cancellable keepAlive;
    private Runnable watch;

    /** Resumes a batch once the waiting keys it saw are gone. */
    private static final class Deferral {
        final Set<ByteString> keys;
        final Map<ByteString, Long> modRevisions;
        final long revision;
        final Runnable resume;
        final AtomicBoolean done = new AtomicBoolean();

        Deferral(Map<ByteString, Long> keys, long revision, Runnable resume) {
            this.keys = new HashSet<>(keys.keySet());
            this.modRevisions = keys;
            this.revision = revision;
            this.resume = resume;
        }
    }

    WaitingRoom(EtcdClient etcd, String namespace) {
        this.etcd = etcd;
        this.prefix = RecordKeys.bytes(namespace + RecordKeys.WAITING);
    }

    /** This replica's lease for waiting keys, or 0 while there is none ({@link #needLease()}). */
    long lease() {
        return lease.get();
    }

    /**
     * Grants this replica's lease for waiting keys in the background, if there is none yet, and opens the watch: from
     * the first time this replica waits (a replica that never meets another on a record never grants it).
     */
    void needLease() {
        if (lease.get() == 0 && !closed.get() && granting.compareAndSet(false, true)) {
            watch();
            etcd.grant(TTL_SECONDS).subscribe().with(r -> {
                lease.set(r.getID());
                granting.set(false);
                keepAlive();
            }, f -> {
                granting.set(false);
                LOG.debugf("granting the lease of waiting keys failed: %s", f.toString());
            });
        }
    }

    /** {@code id} was found gone (a put on it failed, or a renewal): {@link #needLease()} grants another. */
    void lost(long id) {
        lease.compareAndSet(id, 0);
    }

    private synchronized void keepAlive() {
        if (keepAlive != null || closed.get()) {
            return;
        }
        keepAlive = Multi.createFrom().ticks().every(KEEP_ALIVE).onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> {
                    long id = lease.get();
                    return id == 0 ? Uni.createFrom().voidItem() : etcd.keepAlive(id)
                            .invoke(ttl -> {
                                if (ttl <= 0) {
                                    lost(id);
                                }
                            })
                            .onFailure().invoke(f -> LOG.debugf("renewing the lease of waiting keys: %s", f))
                            .onFailure().recoverWithNull().replaceWithVoid();
                })
                .subscribe().with(x -> { }, f -> LOG.debugf("lease renewals ended: %s", f.toString()));
    }

    /**
     * After a commit at {@code revision} that read the record's waiting keys {@code waiting}: runs {@code next} now
     * when no other replica waits (own key {@code mine} aside), else once every one seen is gone or after
     * {@link #MAX_DEFER}.
     */
    void after(ByteString mine, List<KeyValue> waiting, long revision, Runnable next) {
        Map<ByteString, Long> awaited = new LinkedHashMap<>();
        synchronized (this) {
            for (KeyValue kv : waiting) {
                ByteString key = kv.getKey();
                Long deletedAt = deleted.get(key);
                Long vain = ignored.get(key);
                if (!key.equals(mine) && (deletedAt == null || deletedAt <= revision)
                        && (vain == null || vain != kv.getModRevision())) {
                    awaited.put(key, kv.getModRevision());
                }
            }
        }
        if (awaited.isEmpty() || closed.get()) {
            next.run();
            return;
        }
        Deferral d = new Deferral(awaited, revision, next);
        synchronized (this) {
            deferrals.add(d);
        }
        watch();
        Uni.createFrom().voidItem().onItem().delayIt().by(MAX_DEFER).subscribe().with(x -> timedOut(d));
    }

    /** Deletes {@code key} (this replica stopped waiting without a commit), in the background. */
    void leave(ByteString key) {
        TxnRequest delete = TxnRequest.newBuilder().addSuccess(RequestOp.newBuilder()
                .setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key))).build();
        etcd.txn(delete).subscribe().with(r -> { }, f -> LOG.debugf("deleting a waiting key: %s", f.toString()));
    }

    private void timedOut(Deferral d) {
        synchronized (this) {
            d.keys.forEach(k -> ignored.put(k, d.modRevisions.get(k)));
        }
        finish(d);
    }

    private void finish(Deferral d) {
        if (d.done.compareAndSet(false, true)) {
            synchronized (this) {
                deferrals.remove(d);
            }
            d.resume.run();
        }
    }

    private void deletedKey(ByteString key, long revision) {
        List<Deferral> ready = new ArrayList<>();
        synchronized (this) {
            deleted.put(key, revision);
            for (Deferral d : deferrals) {
                if (revision > d.revision && d.keys.remove(key) && d.keys.isEmpty()) {
                    ready.add(d);
                }
            }
        }
        ready.forEach(this::finish);
    }

    private synchronized void watch() {
        if (watch != null || closed.get()) {
            return;
        }
        AtomicBoolean ended = new AtomicBoolean();
        watch = etcd.watch(WatchCreateRequest.newBuilder().setKey(prefix).setRangeEnd(RecordKeys.rangeEnd(prefix))
                .addFilters(WatchCreateRequest.FilterType.NOPUT).build(), r -> events(r, ended), f -> rewatch(ended));
    }

    private void events(WatchResponse r, AtomicBoolean ended) {
        r.getEventsList().forEach(e -> deletedKey(e.getKv().getKey(), e.getKv().getModRevision()));
        if (r.getCanceled()) {
            rewatch(ended);
        }
    }

    private void rewatch(AtomicBoolean ended) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            watch = null;
        }
        // deferrals already waiting end at their time-out; the watch is opened again for the next ones
        if (!closed.get()) {
            Uni.createFrom().voidItem().onItem().delayIt().by(REWATCH).subscribe().with(x -> watch());
        }
    }

    /** Ends the watch and the renewals, revokes the lease (its waiting keys go with it), resumes every deferral. */
    void close() {
        closed.set(true);
        List<Deferral> pending;
        synchronized (this) {
            if (keepAlive != null) {
                keepAlive.cancel();
            }
            if (watch != null) {
                watch.run();
                watch = null;
            }
            pending = new ArrayList<>(deferrals);
        }
        pending.forEach(this::finish);
        long id = lease.getAndSet(0);
        if (id != 0) {
            etcd.revoke(id).subscribe().with(x -> { }, f -> LOG.debugf("revoking the lease of waiting keys: %s", f));
        }
    }

    private static <K, V> Map<K, V> bounded() {
        return new LinkedHashMap<>(64, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > REMEMBERED;
            }
        };
    }
}
