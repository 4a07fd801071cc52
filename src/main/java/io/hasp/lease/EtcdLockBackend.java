package io.hasp.lease;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.hasp.HaspConfig;
import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.Compare;
import io.hasp.etcd.api.DeleteRangeRequest;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.PutRequest;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.hasp.http.ProblemException;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockType;
import io.hasp.lock.ProcessIdentity;
import io.hasp.ops.LockMetrics;
import io.hasp.ops.LockWaitSpans;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/**
 * The etcd backend of named locks ({@code hasp.backend=etcd}): every acquisition is a key in its name's queue
 * ({@link EtcdQueue}, layout in {@link EtcdKeys}) attached to an etcd lease of its own, so a grant survives the
 * replica that made it, any replica can renew or release it by lock id, and etcd ends it when its lease runs out.
 * Waiters of every replica are served in the order they asked, each woken by the deletion of the key just before it
 * ({@link EtcdAcquisition} has the steps). Nothing of named locks touches the data directory. Replicas share nothing
 * but the cluster.
 *
 * <p>Release is a transaction that deletes the key only while its create revision is the lock id's: a retried or late
 * release never deletes a newer holder's key. The lease, which then carries no key, is then revoked (in the
 * background, after the answer), or with {@code hasp.etcd.revoke-on-release=false} kept for a later acquisition
 * ({@link SpareLeases} says why that is safe). Renewal keeps the lease alive (or moves the key
 * to a new lease of another length, keeping its create revision), then checks that the key is still there. A forced
 * release deletes the holders' keys (never a waiter's) and revokes their leases. {@code expiresAt} is a lower bound: it
 * is counted from when this replica sent the lease's last grant or renewal; etcd counts whole seconds from when it
 * applied it, and a leader change restarts every lease's count.
 *
 * <p>Outcomes are {@link ProblemException}s with API.md's statuses, as with the file backend; etcd unreachable or
 * without quorum is 503 {@code error}.
 */
@ApplicationScoped
@Typed(EtcdLockBackend.class)
public class EtcdLockBackend implements LockBackend {

    /** etcd's default limit of operations in one branch of a transaction ({@code --max-txn-ops}). */
    private static final int MAX_TXN_OPS = 128;

    @Inject
    EtcdClient etcd;

    @Inject
    HaspConfig config;

    @Inject
    LockMetrics metrics;

    @Inject
    LockWaitSpans spans;

    @Inject
    ObjectMapper json;

    private EtcdKeys keys;
    private EtcdQueue queue;
    private SpareLeases spares;
    private EtcdHolders holders;
    private EtcdAcquisition.Deps deps;

    /** Builds the helpers that share the injected client, keys and queue layout. */
    @PostConstruct
    void init() {
        keys = new EtcdKeys(config.etcd().namespace());
        queue = new EtcdQueue(keys);
        spares = new SpareLeases(etcd);
        holders = new EtcdHolders(etcd, queue, json);
        deps = new EtcdAcquisition.Deps(etcd, keys, queue, spares, new NameWatches(etcd, keys), holders, metrics,
                spans, json, ProcessIdentity.current());
    }

    @Override
    public Uni<LockGrant> acquire(LockName name, AcquireOptions options) {
        return new EtcdAcquisition(deps, plan(List.of(name.value()), options)).run().map(grants -> grants.get(0))
                .onFailure().transform(EtcdLockBackend::ioFault);
    }

    @Override
    public Uni<LockGrants> acquireAll(List<LockName> names, AcquireOptions options) {
        List<String> sorted = new TreeSet<>(names).stream().map(LockName::value).toList();
        return new EtcdAcquisition(deps, plan(sorted, options)).run().map(LockGrants::new)
                .onFailure().transform(EtcdLockBackend::ioFault);
    }

    private EtcdAcquisition.Plan plan(List<String> names, AcquireOptions o) {
        HaspConfig.Lock defaults = config.lock();
        LockType type = o.type() == null ? LockType.EXCLUSIVE : o.type();
        long ttl = ttlSeconds(checkLease(o.leaseMs()).toMillis());
        long timeoutNanos = o.timeoutMs() == null ? defaults.timeout().toNanos()
                : Duration.ofMillis(o.timeoutMs()).toNanos();
        int maxRetries = o.maxRetries() == null ? defaults.maxRetries() : o.maxRetries();
        Duration interval = o.retryIntervalMs() == null ? defaults.retryInterval()
                : Duration.ofMillis(o.retryIntervalMs());
        // a waiter here does not poll: maxRetries bounds its wait by the time the retries' pauses would take
        long patienceNanos = Math.min(timeoutNanos,
                LockOptions.retriesSchedule(interval, defaults.retryCap(), maxRetries));
        return new EtcdAcquisition.Plan(names, type, ttl, timeoutNanos, patienceNanos);
    }

    @Override
    public Uni<LockGrant> renew(LockName name, String lockId, RenewRequest request) {
        Long wantedMs = request.leaseMs() == null ? null : checkLease(request.leaseMs()).toMillis();
        Optional<EtcdKeys.Grant> parsed = EtcdKeys.parse(SafeNames.require("lock id", lockId));
        if (parsed.isEmpty()) {
            return Uni.createFrom().failure(LockProblems.notHeld(name));
        }
        EtcdKeys.Grant grant = parsed.get();
        ByteString key = keys.key(name.value(), grant.type(), grant.id());
        return readGrant(key, grant.revision())
                .chain(kv -> {
                    EtcdGrantValue value = EtcdGrantValue.decode(json, kv.getValue());
                    long wanted = wantedMs == null ? value.ttlSeconds() : ttlSeconds(wantedMs);
                    if (wanted == value.ttlSeconds()) {
                        return keepAlive(kv.getLease()).chain(renewed -> readGrant(key, grant.revision())
                                .map(again -> grant(name.value(), lockId, grant, value, renewed)));
                    }
                    return moveToNewLease(key, grant.revision(), kv, value, wanted)
                            .map(renewed -> grant(name.value(), lockId, grant, value, renewed));
                })
                .onFailure().transform(f -> f instanceof NotHeld ? LockProblems.notHeld(name) : ioFault(f));
    }

    @Override
    public Uni<Void> release(LockName name, String lockId) {
        Optional<EtcdKeys.Grant> parsed = EtcdKeys.parse(SafeNames.require("lock id", lockId));
        if (parsed.isEmpty()) {
            return Uni.createFrom().failure(LockProblems.notHeld(name));
        }
        EtcdKeys.Grant grant = parsed.get();
        ByteString key = keys.key(name.value(), grant.type(), grant.id());
        TxnRequest txn = TxnRequest.newBuilder()
                .addCompare(createdAt(key, grant.revision()))
                .addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                        DeleteRangeRequest.newBuilder().setKey(key).setPrevKv(true)))
                .build();
        return etcd.txn(txn)
                .onFailure().transform(EtcdLockBackend::ioFault)
                .map(r -> {
                    if (!r.getSucceeded() || r.getResponses(0).getResponseDeleteRange().getPrevKvsCount() == 0) {
                        throw LockProblems.notHeld(name);
                    }
                    KeyValue released = r.getResponses(0).getResponseDeleteRange().getPrevKvs(0);
                    EtcdGrantValue v = EtcdGrantValue.decode(json, released.getValue());
                    if (config.etcd().revokeOnRelease()) {
                        // the key is gone: the lease carries nothing now; revoked in the background, after the answer
                        spares.revoke(released.getLease());
                    } else {
                        spares.giveBack(released.getLease(), v.ttlSeconds());
                    }
                    metrics.released(Duration.between(v.acquiredAt(), Instant.now()).toNanos());
                    return null;
                });
    }

    @Override
    public Uni<Boolean> forceRelease(LockName name) {
        return etcd.range(EtcdQueue.all(keys.name(name.value())))
                .chain(r -> {
                    List<KeyValue> held = queue.holders(r.getKvsList());
                    if (held.isEmpty()) {
                        return Uni.createFrom().item(false);
                    }
                    // key names are never used twice: deleting a holder's key by name cannot touch a newer grant
                    List<Uni<Void>> deletions = new ArrayList<>();
                    for (int from = 0; from < held.size(); from += MAX_TXN_OPS) {
                        TxnRequest.Builder txn = TxnRequest.newBuilder();
                        held.subList(from, Math.min(held.size(), from + MAX_TXN_OPS)).forEach(kv -> txn.addSuccess(
                                RequestOp.newBuilder().setRequestDeleteRange(DeleteRangeRequest.newBuilder()
                                        .setKey(kv.getKey()))));
                        deletions.add(etcd.txn(txn.build()).replaceWithVoid());
                    }
                    return Uni.join().all(deletions).andFailFast()
                            .invoke(() -> held.forEach(kv -> spares.revoke(kv.getLease())))
                            .replaceWith(true);
                })
                .onFailure().transform(EtcdLockBackend::ioFault);
    }

    @Override
    public Uni<LockStatus> status(LockName name) {
        return etcd.range(EtcdQueue.all(keys.name(name.value())))
                .chain(r -> holders.of(r.getKvsList()))
                .map(h -> LockStatus.of(name.value(), h))
                .onFailure().transform(EtcdLockBackend::ioFault);
    }

    @Override
    public Uni<LockStatusList> list() {
        return etcd.range(EtcdQueue.all(keys.locks()))
                .chain(r -> {
                    List<Uni<LockStatus>> statuses = new ArrayList<>();
                    queue.holdersByName(r.getKvsList()).forEach((n, kvs) -> {
                        if (!kvs.isEmpty()) {
                            statuses.add(holders.of(kvs).map(h -> LockStatus.of(n, h)));
                        }
                    });
                    return statuses.isEmpty() ? Uni.createFrom().item(List.<LockStatus>of())
                            : Uni.join().all(statuses).andFailFast();
                })
                .map(LockStatusList::new)
                .onFailure().transform(EtcdLockBackend::ioFault);
    }

    @Override
    public Uni<Integer> countHolders() {
        return etcd.range(EtcdQueue.all(keys.locks()).toBuilder().setKeysOnly(true).build())
                .map(r -> queue.holdersByName(r.getKvsList()).values().stream().mapToInt(List::size).sum())
                .onFailure().transform(EtcdLockBackend::ioFault);
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
        long sentNanos = System.nanoTime();
        Instant sent = Instant.now();
        return etcd.keepAlive(leaseId).map(left -> {
            if (left <= 0) {
                throw new NotHeld();
            }
            spares.renewed(leaseId, left, sentNanos, sent);
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
                    .addCompare(createdAt(key, revision))
                    .addSuccess(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key)
                            .setValue(moved.encode(json)).setLease(lease.getID())))
                    .build();
            return etcd.txn(txn).map(r -> {
                if (!r.getSucceeded()) {
                    spares.revoke(lease.getID());
                    throw new NotHeld();
                }
                spares.revoke(kv.getLease());
                return new Renewed(sent, lease.getTTL());
            });
        });
    }

    private static Compare createdAt(ByteString key, long revision) {
        return Compare.newBuilder().setKey(key).setTarget(Compare.CompareTarget.CREATE)
                .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision).build();
    }

    private static LockGrant grant(String name, String lockId, EtcdKeys.Grant grant, EtcdGrantValue value,
                                   Renewed renewed) {
        return new LockGrant(name, lockId, grant.type(), grant.revision(),
                value.acquiredAt().truncatedTo(ChronoUnit.MILLIS),
                renewed.at().plusSeconds(renewed.ttl()).truncatedTo(ChronoUnit.MILLIS));
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

    /** etcd TTLs are whole seconds: a lease is rounded up, never down. */
    static long ttlSeconds(long leaseMs) {
        return Math.max(1, (leaseMs + 999) / 1000);
    }

    private static Throwable ioFault(Throwable f) {
        return LockProblems.fault(f, "etcd");
    }
}
