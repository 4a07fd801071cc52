package io.hasp.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.hasp.HaspConfig;
import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.Compare;
import io.hasp.etcd.api.DeleteRangeRequest;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.PutRequest;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RangeResponse;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.hasp.etcd.api.TxnResponse;
import io.hasp.http.ProblemException;
import io.hasp.lock.LockHolder;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;
import io.hasp.lock.ProcessIdentity;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/**
 * The etcd backend of named locks ({@code hasp.backend=etcd}): every grant is an etcd lease of its own plus a key
 * attached to it (layout in {@link EtcdKeys}), so the grant survives the replica that made it, any replica can renew
 * or release it by lock id, and etcd ends it when its lease runs out. Nothing of named locks touches the data
 * directory. Replicas share nothing but the cluster.
 *
 * <p>Acquiring names {@code N} (one, or several all or none) for a type:
 * <ol>
 *   <li>queue in this process' FIFO queue of every name ({@link WaitQueues}); wait to be first in each. Only the
 *       first asks etcd, so local waiters are served in order and cost etcd nothing while they wait. One that became
 *       first because the one before it was just granted first reads the names without writing (a linearizable
 *       read-only transaction) and, if they are busy, goes straight to step 5;</li>
 *   <li>take a lease per name of {@code ceil(leaseMs / 1000)} seconds (etcd raises it to its minimum, about 2 s):
 *       a kept one ({@link SpareLeases}) or a new one;</li>
 *   <li>one transaction for all names: if, for every name, no exclusive grant and no shared grant exist (exclusive),
 *       or no exclusive grant and no waiting writer exist (shared), put the grant keys; otherwise read the names'
 *       keys and, for a writer that will wait, put its waiting-writer key, which keeps new readers out until it is
 *       served (a stream of readers cannot starve a writer). All or none, so no deadlock is possible;</li>
 *   <li>granted: the fencing token is the grant key's create revision (the transaction's revision), which strictly
 *       increases across every replica and restart of the cluster;</li>
 *   <li>busy: give up with {@code locked} when {@code timeoutMs} is 0 or {@code maxRetries} busy attempts are used,
 *       with {@code timeout} when the deadline has passed; else wait for a deletion under the busy name's keys after
 *       the revision read (a release, an expiry, a forced release: from any replica, this one included, learnt the
 *       same way, so that replicas compete on equal terms), on the name's watch ({@link NameWatches}), and go to 3. Every wake-up is checked by a new
 *       transaction: a watch event is a reason to look, never a grant. A watch whose revision was compacted is
 *       answered at once, so the waiter reads again and watches from there. While it waits, the waiter keeps its
 *       leases (and with them its waiting-writer key) alive.</li>
 * </ol>
 * A transaction retried after a time-out may have been applied the first time: a busy answer that shows this
 * acquisition's own keys is taken as the grant it is.
 *
 * <p>Release is a transaction that deletes the grant key only while its create revision is the lock id's: a retried
 * or late release never deletes a newer holder's key. The lease, which then carries no key, is not revoked but kept
 * for a later grant ({@link SpareLeases}); revoking it and granting the next one would be two more fsynced writes
 * per lock. A forced release and a failed acquisition revoke their leases. Renewal keeps the lease alive
 * (or moves the key to a new lease of another length, keeping its create revision), then checks that the key is still
 * there. {@code expiresAt} is a lower bound: it is counted from when the lease was last granted or renewed as seen
 * by this replica before the call; etcd counts whole seconds from when it applied the call, and a leader change
 * restarts every lease's count.
 *
 * <p>Outcomes are {@link ProblemException}s with API.md's statuses, as with the file backend; etcd unreachable or
 * without quorum is 503 {@code error}.
 */
@ApplicationScoped
@Typed(EtcdLockBackend.class)
public class EtcdLockBackend implements LockBackend {

    private static final Logger LOG = Logger.getLogger(EtcdLockBackend.class);
    /** Seconds a client should wait after a backend fault before trying again. */
    private static final String RETRY_AFTER_SECONDS = "1";
    /** A lease last renewed longer ago than this is renewed once more when it is granted, for a full expiresAt. */
    private static final long FRESH_NANOS = Duration.ofSeconds(1).toNanos();

    private final EtcdClient etcd;
    private final HaspConfig config;
    private final LockMetrics metrics;
    private final ObjectMapper json;
    private final EtcdKeys keys;
    private final ProcessIdentity me = ProcessIdentity.current();
    private final WaitQueues queues = new WaitQueues();
    private final SpareLeases spares;
    private final NameWatches watches;

    @Inject
    public EtcdLockBackend(EtcdClient etcd, HaspConfig config, LockMetrics metrics, ObjectMapper json) {
        this.etcd = etcd;
        this.config = config;
        this.metrics = metrics;
        this.json = json;
        this.keys = new EtcdKeys(config.etcd().namespace());
        this.spares = new SpareLeases(etcd);
        this.watches = new NameWatches(etcd, keys);
    }

    @Override
    public Uni<LockGrant> acquire(LockName name, AcquireOptions options) {
        return new Acquisition(List.of(name.value()), options).run().map(grants -> grants.get(0))
                .onFailure().transform(this::ioFault);
    }

    @Override
    public Uni<LockGrants> acquireAll(List<LockName> names, AcquireOptions options) {
        List<String> sorted = new TreeSet<>(names).stream().map(LockName::value).toList();
        return new Acquisition(sorted, options).run().map(LockGrants::new).onFailure().transform(this::ioFault);
    }

    @Override
    public Uni<LockGrant> renew(LockName name, String lockId, RenewRequest request) {
        Long wantedMs = request.leaseMs() == null ? null : checkLease(request.leaseMs()).toMillis();
        Optional<EtcdKeys.Grant> parsed = EtcdKeys.parse(SafeNames.require("lock id", lockId));
        if (parsed.isEmpty()) {
            return Uni.createFrom().failure(notHeld(name));
        }
        EtcdKeys.Grant grant = parsed.get();
        ByteString key = keys.grant(name.value(), grant.type(), grant.id());
        return readGrant(key, grant.revision())
                .chain(kv -> {
                    EtcdGrantValue value = value(kv);
                    long wanted = wantedMs == null ? value.ttlSeconds() : ttlSeconds(wantedMs);
                    if (wanted == value.ttlSeconds()) {
                        return keepAlive(kv.getLease()).chain(renewed -> readGrant(key, grant.revision())
                                .map(again -> grant(name.value(), lockId, grant, value, renewed)));
                    }
                    return moveToNewLease(key, grant.revision(), kv, value, wanted)
                            .map(renewed -> grant(name.value(), lockId, grant, value, renewed));
                })
                .onFailure().transform(f -> f instanceof NotHeld ? notHeld(name) : ioFault(f));
    }

    @Override
    public Uni<Void> release(LockName name, String lockId) {
        Optional<EtcdKeys.Grant> parsed = EtcdKeys.parse(SafeNames.require("lock id", lockId));
        if (parsed.isEmpty()) {
            return Uni.createFrom().failure(notHeld(name));
        }
        EtcdKeys.Grant grant = parsed.get();
        ByteString key = keys.grant(name.value(), grant.type(), grant.id());
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                        .setResult(Compare.CompareResult.EQUAL).setCreateRevision(grant.revision()))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                        DeleteRangeRequest.newBuilder().setKey(key).setPrevKv(true)))
                .build();
        return etcd.txn(txn)
                .onFailure().transform(this::ioFault)
                .map(r -> {
                    if (!r.getSucceeded() || r.getResponses(0).getResponseDeleteRange().getPrevKvsCount() == 0) {
                        throw notHeld(name);
                    }
                    KeyValue released = r.getResponses(0).getResponseDeleteRange().getPrevKvs(0);
                    // no local wake-up here: waiters of every replica learn of it the same way, by their watch
                    EtcdGrantValue v = value(released);
                    spares.giveBack(released.getLease(), v.ttlSeconds());
                    metrics.released(Duration.between(v.acquiredAt(), Instant.now()).toNanos());
                    return null;
                });
    }

    @Override
    public Uni<Boolean> forceRelease(LockName name) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (LockType type : LockType.values()) {
            ByteString prefix = keys.grants(name.value(), type);
            txn.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                    .setKey(prefix).setRangeEnd(EtcdKeys.rangeEnd(prefix)).setPrevKv(true)));
        }
        return etcd.txn(txn.build())
                .chain(r -> {
                    List<Uni<Void>> revocations = new ArrayList<>();
                    for (var op : r.getResponsesList()) {
                        op.getResponseDeleteRange().getPrevKvsList()
                                .forEach(kv -> revocations.add(etcd.revoke(kv.getLease())));
                    }
                    queues.wake(name.value());
                    if (revocations.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    return Uni.join().all(revocations).andFailFast().replaceWith(true);
                })
                .onFailure().transform(this::ioFault);
    }

    @Override
    public Uni<LockStatus> status(LockName name) {
        return etcd.range(prefix(keys.name(name.value())))
                .chain(r -> holders(r.getKvsList()))
                .map(holders -> LockStatus.of(name.value(), holders))
                .onFailure().transform(this::ioFault);
    }

    @Override
    public Uni<LockStatusList> list() {
        return etcd.range(prefix(keys.locks()))
                .chain(r -> {
                    Map<String, List<KeyValue>> byName = new TreeMap<>();
                    for (KeyValue kv : r.getKvsList()) {
                        keys.split(kv.getKey()).filter(p -> isGrantKind(p[1]))
                                .ifPresent(p -> byName.computeIfAbsent(p[0], n -> new ArrayList<>()).add(kv));
                    }
                    if (byName.isEmpty()) {
                        return Uni.createFrom().item(List.<LockStatus>of());
                    }
                    List<Uni<LockStatus>> statuses = new ArrayList<>();
                    byName.forEach((n, kvs) -> statuses.add(holders(kvs).map(h -> LockStatus.of(n, h))));
                    return Uni.join().all(statuses).andFailFast();
                })
                .map(LockStatusList::new)
                .onFailure().transform(this::ioFault);
    }

    @Override
    public Uni<Integer> countHolders() {
        return etcd.range(prefix(keys.locks()).toBuilder().setKeysOnly(true).build())
                .map(r -> (int) r.getKvsList().stream().filter(this::isGrant).count())
                .onFailure().transform(this::ioFault);
    }

    /** One acquisition of one or several names: the steps of the class Javadoc. */
    private final class Acquisition {
        private final List<String> names;
        private final LockType type;
        private final long ttl;
        private final long timeoutNanos;
        private final int maxRetries;
        /** How long this acquisition may wait: its timeout, or its retries' backoff schedule when that is shorter. */
        private final long patienceNanos;
        private final long start = System.nanoTime();
        private final WaitQueues.Waiter waiter;
        private final Map<String, String> ids = new LinkedHashMap<>();
        private final String markId = EtcdKeys.newId();
        private final Map<String, LeaseState> leases = new ConcurrentHashMap<>();
        private int busyAttempts;

        Acquisition(List<String> names, AcquireOptions o) {
            HaspConfig.Lock defaults = config.lock();
            this.names = names;
            this.type = o.type() == null ? LockType.EXCLUSIVE : o.type();
            this.ttl = ttlSeconds(checkLease(o.leaseMs()).toMillis());
            this.timeoutNanos = o.timeoutMs() == null ? defaults.timeout().toNanos()
                    : Duration.ofMillis(o.timeoutMs()).toNanos();
            this.maxRetries = o.maxRetries() == null ? defaults.maxRetries() : o.maxRetries();
            Duration interval = o.retryIntervalMs() == null ? defaults.retryInterval()
                    : Duration.ofMillis(o.retryIntervalMs());
            this.patienceNanos = Math.min(timeoutNanos, backoffSchedule(interval, defaults.retryCap(), maxRetries));
            this.waiter = new WaitQueues.Waiter(names);
            names.forEach(n -> ids.put(n, EtcdKeys.newId()));
        }

        Uni<List<LockGrant>> run() {
            queues.enqueue(waiter);
            return loop()
                    .onItemOrFailure().invoke((grants, failure) -> queues.remove(waiter, failure == null))
                    .onFailure().invoke(this::revokeLeases)
                    .onCancellation().invoke(() -> {
                        queues.remove(waiter, false);
                        revokeLeases();
                    });
        }

        private long remainingNanos() {
            return patienceNanos - (System.nanoTime() - start);
        }

        /**
         * Why waiting ended: the deadline ({@code timeout}); the retries' schedule when that ends first, or a zero
         * timeout ({@code locked}).
         */
        private LockResult.Reason outOfPatience() {
            return timeoutNanos == 0 || patienceNanos < timeoutNanos ? LockResult.Reason.LOCKED
                    : LockResult.Reason.TIMEOUT;
        }

        private Uni<List<LockGrant>> loop() {
            if (!queues.isHead(waiter)) {
                return waitAtMost(waiter.signal().next(), remainingNanos()).chain(woke -> {
                    if (!woke) {
                        return refuse(outOfPatience(), null);
                    }
                    waiter.signal().rearm();
                    return loop();
                });
            }
            waiter.signal().rearm();
            Uni<Attempt> look = waiter.takeAfterGrant() ? peek().chain(p -> p != null ? Uni.createFrom().item(p)
                    : ensureLeases().chain(this::attempt)) : ensureLeases().chain(this::attempt);
            return look.chain(attempt -> {
                if (attempt.granted() != null) {
                    return Uni.createFrom().item(attempt.granted());
                }
                busyAttempts++;
                if (timeoutNanos == 0 || busyAttempts > maxRetries) {
                    return refuse(LockResult.Reason.LOCKED, attempt.holder());
                }
                return waitForChange(attempt).chain(again -> again ? loop()
                        : refuse(outOfPatience(), attempt.holder()));
            });
        }

        /**
         * A look without writing, for a waiter that has just become first because the one before it was granted the
         * lock: it is most likely busy, and a failed transaction would still be a write. A linearizable read-only
         * transaction (no write, no fsync) reads the names; the busy answer it gives is as good as a failed attempt's.
         * Empty ({@code null}) when the names look free, or when a writer must put its waiting-writer key: then the
         * transaction of step 3 is made.
         */
        private Uni<Attempt> peek() {
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            names.forEach(n -> txn.addSuccess(RequestOp.newBuilder().setRequestRange(prefix(keys.name(n)))));
            return etcd.txn(txn.build()).map(r -> {
                for (int i = 0; i < names.size(); i++) {
                    List<KeyValue> kvs = r.getResponses(i).getResponseRange().getKvsList();
                    if (blocked(kvs)) {
                        boolean readersIn = kvs.stream().anyMatch(kv -> keys.split(kv.getKey())
                                .map(p -> p[1].equals("s")).orElse(false));
                        if (type == LockType.EXCLUSIVE && readersIn && timeoutNanos > 0) {
                            return null;
                        }
                        return new Attempt(null, r.getHeader().getRevision(), names.get(i), oldestGrant(kvs));
                    }
                }
                return null;
            });
        }

        /** Step 3: one transaction for every name. */
        private Uni<Attempt> attempt() {
            Instant at = Instant.now();
            TxnRequest.Builder txn = TxnRequest.newBuilder();
            List<RequestOp> marks = new ArrayList<>();
            for (String name : names) {
                LeaseState lease = leases.get(name);
                ByteString value = encode(new EtcdGrantValue(type, me.pid(), me.hostname(), at, lease.ttl()));
                txn.addCompare(absent(keys.grants(name, LockType.EXCLUSIVE)));
                txn.addSuccess(put(keys.grant(name, type, ids.get(name)), value, lease.id()));
                if (type == LockType.EXCLUSIVE) {
                    txn.addCompare(absent(keys.grants(name, LockType.SHARED)));
                    txn.addSuccess(delete(keys.writerWaiting(name, markId)));
                    if (timeoutNanos > 0) {
                        marks.add(put(keys.writerWaiting(name, markId), ByteString.EMPTY, lease.id()));
                    }
                } else {
                    txn.addCompare(absent(keys.writersWaiting(name)));
                }
                txn.addFailure(RequestOp.newBuilder().setRequestRange(prefix(keys.name(name))));
            }
            marks.forEach(txn::addFailure);
            return etcd.txn(txn.build()).chain(r -> outcome(r, at));
        }

        private Uni<Attempt> outcome(TxnResponse r, Instant at) {
            if (r.getSucceeded()) {
                return granted(r.getHeader().getRevision(), at);
            }
            long ownRevision = 0;
            int own = 0;
            String busyName = null;
            KeyValue holder = null;
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                ByteString mine = keys.grant(name, type, ids.get(name));
                RangeResponse range = r.getResponses(i).getResponseRange();
                for (KeyValue kv : range.getKvsList()) {
                    if (kv.getKey().equals(mine)) {
                        own++;
                        ownRevision = kv.getCreateRevision();
                    }
                }
                if (busyName == null && blocked(range.getKvsList())) {
                    busyName = name;
                    holder = oldestGrant(range.getKvsList());
                }
            }
            if (own == names.size()) {
                // an earlier try of this very transaction went through, its answer was lost
                return granted(ownRevision, at);
            }
            return Uni.createFrom().item(new Attempt(null, r.getHeader().getRevision(),
                    busyName == null ? names.get(0) : busyName, holder));
        }

        private boolean blocked(List<KeyValue> kvs) {
            for (KeyValue kv : kvs) {
                Optional<String[]> parts = keys.split(kv.getKey());
                if (parts.isEmpty()) {
                    continue;
                }
                String kind = parts.get()[1];
                if (kind.equals("e") || (type == LockType.EXCLUSIVE ? kind.equals("s") : kind.equals("w"))) {
                    return true;
                }
            }
            return false;
        }

        /** Step 4. */
        private Uni<Attempt> granted(long revision, Instant at) {
            metrics.granted(System.nanoTime() - start);
            return freshen().map(v -> {
                List<LockGrant> grants = new ArrayList<>();
                for (String name : names) {
                    LeaseState lease = leases.get(name);
                    grants.add(new LockGrant(name, EtcdKeys.lockId(type, ids.get(name), revision), type, revision,
                            at.truncatedTo(ChronoUnit.MILLIS), lease.expiresAt()));
                }
                return new Attempt(grants, revision, null, null);
            });
        }

        /** Step 5: a deletion under the busy name, a local wake-up, or the deadline (false). */
        private Uni<Boolean> waitForChange(Attempt busy) {
            long remaining = remainingNanos();
            if (remaining <= 0) {
                return Uni.createFrom().item(false);
            }
            Uni<Void> deleted = watches.deletionAfter(busy.busyName(), busy.revision());
            long keepAliveNanos = leases.values().stream().mapToLong(LeaseState::refreshNanos).min()
                    .orElse(remaining);
            return waitAtMost(Uni.combine().any().of(waiter.signal().next(), deleted), Math.min(remaining,
                    keepAliveNanos))
                    .chain(changed -> {
                        if (changed) {
                            return Uni.createFrom().item(true);
                        }
                        if (remainingNanos() <= 0) {
                            return Uni.createFrom().item(false);
                        }
                        // nothing happened for a third of the lease: keep the leases alive, watch again
                        return ensureLeases().chain(() -> waitForChange(busy));
                    });
        }

        /** Grants the leases not granted yet; renews those renewed more than a third of their TTL ago. */
        private Uni<Void> ensureLeases() {
            List<Uni<Void>> work = new ArrayList<>();
            for (String name : names) {
                LeaseState lease = leases.get(name);
                if (lease == null) {
                    work.add(grantLease(name));
                } else if (System.nanoTime() - lease.renewedNanos() > lease.refreshNanos()) {
                    work.add(renewLease(name, lease));
                }
            }
            return work.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(work).andFailFast().replaceWithVoid();
        }

        /** Renews leases last renewed more than a second ago, so that a grant after a wait gets a full lease. */
        private Uni<Void> freshen() {
            List<Uni<Void>> work = new ArrayList<>();
            leases.forEach((name, lease) -> {
                if (System.nanoTime() - lease.renewedNanos() > FRESH_NANOS) {
                    work.add(renewLease(name, lease));
                }
            });
            return work.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(work).andFailFast().replaceWithVoid();
        }

        private Uni<Void> grantLease(String name) {
            Optional<SpareLeases.Spare> spare = spares.take(ttl);
            if (spare.isPresent()) {
                SpareLeases.Spare s = spare.get();
                LeaseState taken = new LeaseState(s.id(), s.ttl(), s.renewedNanos(), s.renewedAt());
                if (System.nanoTime() - s.renewedNanos() < Math.min(FRESH_NANOS, taken.refreshNanos())) {
                    leases.put(name, taken);
                    return Uni.createFrom().voidItem();
                }
                // renewed before use (etcd answers a keep-alive without a write); an ended one is replaced
                return renewLease(name, taken);
            }
            long sentNanos = System.nanoTime();
            Instant sentAt = Instant.now();
            return etcd.grant(ttl).invoke(r -> leases.put(name, new LeaseState(r.getID(), r.getTTL(), sentNanos,
                    sentAt))).replaceWithVoid();
        }

        private Uni<Void> renewLease(String name, LeaseState lease) {
            long sentNanos = System.nanoTime();
            Instant sentAt = Instant.now();
            return etcd.keepAlive(lease.id()).chain(left -> {
                if (left <= 0) {
                    // expired while we waited (its waiting-writer key with it): start again with a new one
                    return grantLease(name);
                }
                leases.put(name, new LeaseState(lease.id(), left, sentNanos, sentAt));
                return Uni.createFrom().voidItem();
            });
        }

        private void revokeLeases() {
            leases.values().forEach(l -> revokeLater(l.id()));
        }

        private <T> Uni<T> refuse(LockResult.Reason reason, KeyValue knownHolder) {
            metrics.failed(reason, System.nanoTime() - start);
            Uni<Optional<LockHolder>> holder = knownHolder != null ? withExpiry(knownHolder).map(Optional::of)
                    : etcd.range(prefix(keys.name(names.get(0)))).chain(r -> holders(r.getKvsList()))
                            .map(h -> h.stream().findFirst());
            return holder.onFailure().recoverWithItem(Optional.empty())
                    .chain(h -> Uni.createFrom().failure(refused(reason, h)));
        }
    }

    /** The outcome of one transaction: the grants, or the revision read and what was in the way. */
    private record Attempt(List<LockGrant> granted, long revision, String busyName, KeyValue holder) {
    }

    /**
     * A lease of an acquisition.
     *
     * @param renewedNanos when it was last granted or renewed (sent), on the monotonic clock
     * @param renewedAt    the same on the wall clock, for {@code expiresAt}
     */
    private record LeaseState(long id, long ttl, long renewedNanos, Instant renewedAt) {
        long refreshNanos() {
            return Duration.ofSeconds(ttl).toNanos() / 3;
        }

        Instant expiresAt() {
            return renewedAt.plusSeconds(ttl).truncatedTo(ChronoUnit.MILLIS);
        }
    }

    /** A lease renewed (sent at {@code at}) to {@code ttl} seconds. */
    private record Renewed(Instant at, long ttl) {
    }

    /** Answered as 404: the lock id holds nothing. */
    private static final class NotHeld extends RuntimeException {
        NotHeld() {
            super("not held", null, false, false);
        }
    }

    private Uni<KeyValue> readGrant(ByteString key, long revision) {
        return etcd.range(RangeRequest.newBuilder().setKey(key).build()).map(r -> {
            if (r.getKvsCount() == 0 || r.getKvs(0).getCreateRevision() != revision) {
                throw new NotHeld();
            }
            return r.getKvs(0);
        });
    }

    private Uni<Renewed> keepAlive(long leaseId) {
        Instant sent = Instant.now();
        return etcd.keepAlive(leaseId).map(left -> {
            if (left <= 0) {
                throw new NotHeld();
            }
            return new Renewed(sent, left);
        });
    }

    /** Renewal to another length: a new lease, the key moved onto it (its create revision stays), the old revoked. */
    private Uni<Renewed> moveToNewLease(ByteString key, long revision, KeyValue kv, EtcdGrantValue value,
                                        long ttlSeconds) {
        Instant sent = Instant.now();
        return etcd.grant(ttlSeconds).chain(lease -> {
            EtcdGrantValue moved = new EtcdGrantValue(value.type(), value.pid(), value.hostname(), value.acquiredAt(),
                    lease.getTTL());
            TxnRequest txn = TxnRequest.newBuilder()
                    .addCompare(Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                            .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision))
                    .addSuccess(put(key, encode(moved), lease.getID()))
                    .build();
            return etcd.txn(txn).map(r -> {
                if (!r.getSucceeded()) {
                    revokeLater(lease.getID());
                    throw new NotHeld();
                }
                revokeLater(kv.getLease());
                return new Renewed(sent, lease.getTTL());
            });
        });
    }

    private static LockGrant grant(String name, String lockId, EtcdKeys.Grant grant, EtcdGrantValue value,
                                   Renewed renewed) {
        return new LockGrant(name, lockId, grant.type(), grant.revision(),
                value.acquiredAt().truncatedTo(ChronoUnit.MILLIS),
                renewed.at().plusSeconds(renewed.ttl()).truncatedTo(ChronoUnit.MILLIS));
    }

    /** Live holders among {@code kvs} (grant keys; waiting writers are not holders), oldest first, with expiry. */
    private Uni<List<LockHolder>> holders(List<KeyValue> kvs) {
        List<KeyValue> grants = kvs.stream().filter(this::isGrant)
                .sorted(Comparator.comparingLong(KeyValue::getCreateRevision)).toList();
        if (grants.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Uni.join().all(grants.stream().map(this::withExpiry).toList()).andFailFast();
    }

    /** The holder of a grant key, its {@code expiresAt} from the lease's remaining TTL (absent if it just ended). */
    private Uni<LockHolder> withExpiry(KeyValue kv) {
        Instant asked = Instant.now();
        return etcd.timeToLive(kv.getLease()).map(left -> {
            EtcdGrantValue v = value(kv);
            Optional<Instant> expires = left > 0 ? Optional.of(asked.plusSeconds(left)) : Optional.empty();
            return new LockHolder(v.type(), v.pid(), v.hostname(), v.acquiredAt(),
                    OptionalLong.of(kv.getCreateRevision()), expires);
        });
    }

    /** The grant key created first among {@code kvs}, or {@code null}. */
    private KeyValue oldestGrant(List<KeyValue> kvs) {
        return kvs.stream().filter(this::isGrant).min(Comparator.comparingLong(KeyValue::getCreateRevision))
                .orElse(null);
    }

    private boolean isGrant(KeyValue kv) {
        return keys.split(kv.getKey()).map(p -> isGrantKind(p[1])).orElse(false);
    }

    private static boolean isGrantKind(String kind) {
        return kind.equals("e") || kind.equals("s");
    }

    private void revokeLater(long leaseId) {
        spares.revoke(leaseId);
    }

    /** Lease of a request, checked against {@code hasp.lease.max}; absent means {@code hasp.lease.default}. */
    private Duration checkLease(Long leaseMs) {
        Duration lease = leaseMs == null ? config.lease().defaultLease() : Duration.ofMillis(leaseMs);
        if (lease.compareTo(config.lease().max()) > 0) {
            throw ProblemException.badRequest("invalid-request",
                    "leaseMs must not exceed " + config.lease().max().toMillis() + " (hasp.lease.max)");
        }
        return lease;
    }

    /**
     * The time the file backend's backoff would take for {@code retries} pauses ({@code interval} doubling, capped at
     * {@code cap}, jitter left out). A waiter here does not poll, it looks again on each deletion; but
     * {@code maxRetries} must still bound its wait as it does there, so it gives up with {@code locked} after this.
     */
    static long backoffSchedule(Duration interval, Duration cap, int retries) {
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

    /** etcd TTLs are whole seconds: a lease is rounded up, never down. */
    static long ttlSeconds(long leaseMs) {
        return Math.max(1, (leaseMs + 999) / 1000);
    }

    private ByteString encode(EtcdGrantValue value) {
        try {
            return ByteString.copyFrom(json.writeValueAsBytes(value));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private EtcdGrantValue value(KeyValue kv) {
        try {
            return json.readValue(kv.getValue().toByteArray(), EtcdGrantValue.class);
        } catch (IOException e) {
            // a key under the namespace written by someone else: shown as an unknown holder, never trusted
            return new EtcdGrantValue(LockType.EXCLUSIVE, 0, "unknown", Instant.EPOCH, 0);
        }
    }

    private static RangeRequest prefix(ByteString prefix) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(EtcdKeys.rangeEnd(prefix)).build();
    }

    /** True while no key in the range exists (etcd compares a missing key as create revision 0). */
    private static Compare absent(ByteString prefix) {
        return Compare.newBuilder().setKey(prefix).setRangeEnd(EtcdKeys.rangeEnd(prefix))
                .setTarget(Compare.CompareTarget.CREATE).setResult(Compare.CompareResult.EQUAL)
                .setCreateRevision(0).build();
    }

    private static RequestOp put(ByteString key, ByteString value, long lease) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key).setValue(value)
                .setLease(lease)).build();
    }

    private static RequestOp delete(ByteString key) {
        return RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder().setKey(key)).build();
    }

    private static <T> Uni<Boolean> waitAtMost(Uni<T> event, long nanos) {
        if (nanos <= 0) {
            return Uni.createFrom().item(false);
        }
        return event.map(v -> true).ifNoItem().after(Duration.ofNanos(nanos)).recoverWithItem(false);
    }

    private ProblemException refused(LockResult.Reason reason, Optional<LockHolder> holder) {
        Map<String, Object> extras = new LinkedHashMap<>();
        holder.ifPresent(h -> {
            extras.put("pid", h.pid());
            extras.put("hostname", h.hostname());
            extras.put("since", h.since().truncatedTo(ChronoUnit.MILLIS).toString());
            extras.put("holder", LockStatus.Holder.of(h));
        });
        String detail = reason == LockResult.Reason.TIMEOUT
                ? "the lock was still held when the timeout passed" : "the lock is held by someone else";
        return new ProblemException(409, reason.wireName(),
                detail + holder.map(h -> " (" + h.describe() + ")").orElse(""), extras, Map.of());
    }

    private static ProblemException notHeld(LockName name) {
        return ProblemException.notFound("lock '" + name.value() + "' is not held by that lock id");
    }

    private Throwable ioFault(Throwable f) {
        if (f instanceof ProblemException) {
            return f;
        }
        LOG.warnf("named lock operation on etcd failed: %s", f.getMessage());
        return new ProblemException(503, "error", "the lock state could not be read or written", Map.of(),
                Map.of("Retry-After", RETRY_AFTER_SECONDS));
    }
}
