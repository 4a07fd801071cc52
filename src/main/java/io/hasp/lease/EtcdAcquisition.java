package io.hasp.lease;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.Compare;
import io.hasp.etcd.api.DeleteRangeRequest;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.PutRequest;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.hasp.etcd.api.TxnResponse;
import io.hasp.http.ProblemException;
import io.hasp.lock.LockHolder;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;
import io.hasp.lock.ProcessIdentity;
import io.hasp.ops.LockMetrics;
import io.hasp.ops.LockWaitSpans;
import io.opentelemetry.context.Context;
import io.smallrye.mutiny.Uni;

/**
 * One acquisition of one name, or of several all or none, in its names' queues in etcd ({@link EtcdQueue}):
 * <ol>
 *   <li>Take a lease per name of the grant's length ({@link SpareLeases}: usually a kept one, no write).</li>
 *   <li>Queue: one transaction puts a key per name, attached to its lease, and reads per name the newest keys that
 *       decide for it. The keys' create revision (one, the transaction's) is the acquisition's place in every queue and
 *       its fencing token. A free name costs this one transaction.</li>
 *   <li>Ahead on some name: wait for the deletion of the key just before it there ({@link NameWatches}), then read
 *       again (its own keys, and per name the last key ahead, a linearizable read-only transaction, no write): a watch
 *       event is a reason to look, never a grant; a watch that ends makes it read and watch again. While it waits it
 *       renews its leases every third of their TTL.</li>
 *   <li>Nothing ahead on any name: granted. A lease renewed longer ago than its freshness window is renewed first, so
 *       that {@code expiresAt} is close to a whole lease; after a wait of more than {@link #REWRITE_AFTER} the keys'
 *       values are rewritten (in the background) with the time of the grant, for status answers.</li>
 *   <li>Out of patience (the deadline, or the retries' schedule): delete its keys in one transaction, and only then
 *       answer 409 with the holder. A lease whose key is deleted goes back to the kept ones. Cancelled (the client went
 *       away) or failed on an etcd fault, with a call perhaps still in flight: revoke its leases, which deletes any key
 *       on them.</li>
 * </ol>
 * With {@code timeoutMs} 0 (or no retries) nothing is queued: one transaction puts the keys only if nothing is ahead
 * on any name, and otherwise reads who holds them. A transaction retried after a time-out may have been applied the
 * first time: a put that finds its own key keeps that key's create revision (the answer's previous value says so), and
 * a failed compare that finds its own keys is the grant it is. A key lost while waiting (its lease ended during a long
 * pause) makes the acquisition queue again at the back.
 */
final class EtcdAcquisition {

    /** A grant after a longer wait rewrites its keys' {@code acquiredAt}, which otherwise says when it asked. */
    static final Duration REWRITE_AFTER = Duration.ofSeconds(1);
    private static final int MAX_REQUEUES = 3;
    private static final Logger LOG = Logger.getLogger(EtcdAcquisition.class);

    /** What every acquisition of the backend shares. */
    record Deps(EtcdClient etcd, EtcdKeys keys, EtcdQueue queue, SpareLeases leases, NameWatches watches,
                EtcdHolders holders, LockMetrics metrics, LockWaitSpans spans, ObjectMapper json,
                ProcessIdentity me) {
    }

    /**
     * What is asked.
     *
     * @param names         sorted, distinct
     * @param ttl           lease length in seconds, as asked of etcd
     * @param timeoutNanos  the deadline, from the start
     * @param patienceNanos how long it may wait: the deadline, or the retries' schedule when that is shorter
     */
    record Plan(List<String> names, LockType type, long ttl, long timeoutNanos, long patienceNanos) {
    }

    private final Deps d;
    private final Plan plan;
    private final long start = System.nanoTime();
    /** The context of the acquire call (the request's span): the wait's span is its child. */
    private final Context caller = Context.current();
    private final Map<String, String> ids = new LinkedHashMap<>();
    private final Map<String, SpareLeases.Lease> leases = new ConcurrentHashMap<>();
    /** Create revision of this acquisition's keys; 0 while none may exist. */
    private long revision;
    private boolean queued;
    private long queuedNanos;
    private int requeues;

    EtcdAcquisition(Deps deps, Plan plan) {
        this.d = deps;
        this.plan = plan;
    }

    Uni<List<LockGrant>> run() {
        Uni<List<LockGrant>> outcome = plan.patienceNanos() <= 0 ? takeLeases().chain(this::tryOnce)
                : takeLeases().chain(this::queueUp);
        return outcome
                .onFailure(f -> !(f instanceof ProblemException)).invoke(this::abandon)
                .onCancellation().invoke(() -> abandon(null));
    }

    private Uni<Void> takeLeases() {
        ids.clear();
        List<Uni<SpareLeases.Lease>> taken = new ArrayList<>();
        for (String name : plan.names()) {
            ids.put(name, EtcdKeys.newId());
            taken.add(d.leases().take(plan.ttl()).invoke(l -> leases.put(name, l)));
        }
        return Uni.join().all(taken).andFailFast().replaceWithVoid();
    }

    /** No waiting: the keys are put only if nothing is ahead on any name. */
    private Uni<List<LockGrant>> tryOnce() {
        Instant at = Instant.now();
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (String name : plan.names()) {
            txn.addCompare(d.queue().nothingAhead(name, plan.type()));
            txn.addSuccess(put(name, at));
        }
        for (String name : plan.names()) {
            txn.addFailure(range(d.queue().head(name)));
            txn.addFailure(range(RangeRequest.newBuilder().setKey(myKey(name)).setKeysOnly(true).build()));
        }
        queuedNanos = System.nanoTime();
        return d.etcd().txn(txn.build()).chain(r -> {
            if (r.getSucceeded()) {
                queued = true;
                revision = r.getHeader().getRevision();
                return granted();
            }
            int n = plan.names().size();
            List<Long> mine = new ArrayList<>();
            KeyValue holder = null;
            for (int i = 0; i < n; i++) {
                r.getResponses(2 * i + 1).getResponseRange().getKvsList()
                        .forEach(kv -> mine.add(kv.getCreateRevision()));
                List<KeyValue> head = r.getResponses(2 * i).getResponseRange().getKvsList();
                if (holder == null && !head.isEmpty() && !head.get(0).getKey().equals(myKey(plan.names().get(i)))) {
                    holder = head.get(0);
                }
            }
            queued = !mine.isEmpty();
            if (mine.size() == n && mine.stream().distinct().count() == 1) {
                // an earlier try of this very transaction went through, its answer was lost
                revision = mine.get(0);
                return granted();
            }
            return refuse(LockResult.Reason.LOCKED, plan.names().get(0), holder);
        });
    }

    /** Step 2: one transaction puts a key per name and reads what is ahead of it. */
    private Uni<List<LockGrant>> queueUp() {
        Instant at = Instant.now();
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        plan.names().forEach(name -> txn.addSuccess(put(name, at)));
        plan.names().forEach(name -> txn.addSuccess(range(d.queue().newest(name, plan.type()))));
        queuedNanos = System.nanoTime();
        return d.etcd().txn(txn.build()).chain(this::queued);
    }

    private Uni<List<LockGrant>> queued(TxnResponse r) {
        queued = true;
        int n = plan.names().size();
        List<Long> revisions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            var put = r.getResponses(i).getResponsePut();
            revisions.add(put.hasPrevKv() ? put.getPrevKv().getCreateRevision() : r.getHeader().getRevision());
        }
        if (revisions.stream().distinct().count() != 1) {
            // a retried put found some keys of an earlier try and not others: one place in every queue or none
            return requeue();
        }
        revision = revisions.get(0);
        for (int i = 0; i < n; i++) {
            EtcdQueue.Ahead ahead = EtcdQueue.aheadIn(r.getResponses(n + i).getResponseRange().getKvsList(), revision);
            if (!ahead.known()) {
                return check();
            }
            if (ahead.key() != null) {
                return waitFor(plan.names().get(i), ahead.key(), r.getHeader().getRevision());
            }
        }
        return granted();
    }

    /** Step 3's read: its own keys, and per name the last key ahead of it. */
    private Uni<List<LockGrant>> check() {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (String name : plan.names()) {
            txn.addSuccess(range(RangeRequest.newBuilder().setKey(myKey(name)).setKeysOnly(true).build()));
            txn.addSuccess(range(d.queue().blocker(name, plan.type(), revision)));
        }
        return d.etcd().txn(txn.build()).chain(r -> {
            List<String> names = plan.names();
            for (int i = 0; i < names.size(); i++) {
                List<KeyValue> own = r.getResponses(2 * i).getResponseRange().getKvsList();
                if (own.isEmpty() || own.get(0).getCreateRevision() != revision) {
                    return requeue();
                }
            }
            for (int i = 0; i < names.size(); i++) {
                List<KeyValue> ahead = r.getResponses(2 * i + 1).getResponseRange().getKvsList();
                if (!ahead.isEmpty()) {
                    return waitFor(names.get(i), ahead.get(0), r.getHeader().getRevision());
                }
            }
            return granted();
        });
    }

    /** Step 3: the deletion of {@code blocker} after {@code readRevision}, the leases' renewal, or the deadline. */
    private Uni<List<LockGrant>> waitFor(String name, KeyValue blocker, long readRevision) {
        long remaining = remainingNanos();
        if (remaining <= 0) {
            return refuse(outOfPatience(), name, null);
        }
        long now = System.nanoTime();
        long renewIn = leases.values().stream().mapToLong(l -> l.renewedNanos() + l.refreshNanos() - now).min()
                .orElse(remaining);
        Uni<Void> deleted = d.watches().deletion(name, blocker.getKey(), readRevision);
        return waitAtMost(deleted, Math.max(0, Math.min(remaining, renewIn))).chain(woke -> {
            if (woke) {
                return check();
            }
            if (remainingNanos() <= 0) {
                return refuse(outOfPatience(), name, null);
            }
            return renewDue().chain(alive -> alive ? waitFor(name, blocker, readRevision) : requeue());
        });
    }

    /** Renews the leases last renewed more than a third of their TTL ago: false when one has ended. */
    private Uni<Boolean> renewDue() {
        long now = System.nanoTime();
        return renew(leases.entrySet().stream().filter(e -> now - e.getValue().renewedNanos()
                >= e.getValue().refreshNanos()).map(Map.Entry::getKey).toList());
    }

    private Uni<Boolean> renew(List<String> names) {
        if (names.isEmpty()) {
            return Uni.createFrom().item(true);
        }
        List<Uni<Boolean>> renewals = new ArrayList<>();
        for (String name : names) {
            renewals.add(d.leases().renew(leases.get(name)).map(l -> {
                leases.put(name, l);
                return true;
            }).onFailure(SpareLeases.LeaseEnded.class).recoverWithItem(false));
        }
        return Uni.join().all(renewals).andFailFast().map(all -> !all.contains(false));
    }

    /** Step 4. */
    private Uni<List<LockGrant>> granted() {
        List<String> stale = leases.entrySet().stream().filter(e -> !e.getValue().fresh()).map(Map.Entry::getKey)
                .toList();
        return renew(stale).chain(alive -> {
            if (!alive) {
                return requeue();
            }
            Instant at = Instant.now();
            if (System.nanoTime() - queuedNanos > REWRITE_AFTER.toNanos()) {
                rewriteValues(at);
            }
            List<LockGrant> grants = new ArrayList<>();
            for (String name : plan.names()) {
                grants.add(new LockGrant(name, EtcdKeys.lockId(plan.type(), ids.get(name), revision), plan.type(),
                        revision, at.truncatedTo(ChronoUnit.MILLIS), leases.get(name).expiresAt()));
            }
            waitEnded(Optional.empty());
            return Uni.createFrom().item(grants);
        });
    }

    /** The wait ended, granted or {@code refused}: counted ({@link LockMetrics}) and traced, one span per name. */
    private void waitEnded(Optional<LockResult.Reason> refused) {
        long wait = System.nanoTime() - start;
        refused.ifPresentOrElse(r -> d.metrics().failed(r, wait), () -> d.metrics().granted(wait));
        plan.names().forEach(name -> d.spans().waited(caller, name, plan.type(), refused, wait));
    }

    /** The keys say when the grant was made, not when it was asked for (status answers show it). */
    private void rewriteValues(Instant at) {
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        for (String name : plan.names()) {
            txn.addCompare(Compare.newBuilder().setKey(myKey(name)).setTarget(Compare.CompareTarget.CREATE)
                    .setResult(Compare.CompareResult.EQUAL).setCreateRevision(revision));
            txn.addSuccess(put(name, at));
        }
        d.etcd().txn(txn.build()).subscribe().with(r -> { }, f -> LOG.debugf("grant time not written: %s",
                f.getMessage()));
    }

    /** Its keys are gone, or not all in one place: leave every queue and queue again at the back, while time is left. */
    private Uni<List<LockGrant>> requeue() {
        if (++requeues > MAX_REQUEUES) {
            return Uni.createFrom().failure(new IllegalStateException("the acquisition's keys kept disappearing"));
        }
        LOG.debugf("named lock acquisition lost its place (lease ended?): queued again");
        return leave().chain(() -> remainingNanos() <= 0 ? refuse(outOfPatience(), plan.names().get(0), null)
                : takeLeases().chain(this::queueUp));
    }

    /**
     * Step 5: leaves every queue, then answers 409 with the holder ({@code knownHolder}, or the oldest key of
     * {@code name} read now).
     */
    private Uni<List<LockGrant>> refuse(LockResult.Reason reason, String name, KeyValue knownHolder) {
        waitEnded(Optional.of(reason));
        Uni<Optional<LockHolder>> holder = knownHolder != null
                ? d.holders().withExpiry(knownHolder).map(Optional::of)
                        .onFailure().recoverWithItem(Optional.empty())
                : d.holders().current(name);
        return Uni.combine().all().unis(leave(), holder).asTuple()
                .chain(t -> Uni.createFrom().failure(EtcdHolders.refused(reason, t.getItem2())));
    }

    /** Deletes its keys (one transaction) and keeps their leases for later acquisitions. */
    private Uni<Void> leave() {
        Map<String, SpareLeases.Lease> held = Map.copyOf(leases);
        leases.clear();
        if (!queued) {
            held.values().forEach(l -> d.leases().giveBack(l.id(), l.ttl()));
            return Uni.createFrom().voidItem();
        }
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        plan.names().forEach(name -> txn.addSuccess(RequestOp.newBuilder().setRequestDeleteRange(
                DeleteRangeRequest.newBuilder().setKey(myKey(name)))));
        queued = false;
        return d.etcd().txn(txn.build())
                .invoke(r -> held.values().forEach(l -> d.leases().giveBack(l.id(), l.ttl())))
                .onFailure().invoke(f -> held.values().forEach(l -> d.leases().revoke(l.id())))
                .replaceWithVoid();
    }

    /** Cancelled, or failed with a call perhaps still in flight: revoking the leases deletes any key on them. */
    private void abandon(Throwable why) {
        if (why != null) {
            LOG.debugf("named lock acquisition failed: %s", why.getMessage());
        }
        leases.values().forEach(l -> d.leases().revoke(l.id()));
        leases.clear();
    }

    private RequestOp put(String name, Instant at) {
        SpareLeases.Lease lease = leases.get(name);
        ByteString value = new EtcdGrantValue(plan.type(), d.me().pid(), d.me().hostname(), at, lease.ttl())
                .encode(d.json());
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(myKey(name)).setValue(value)
                .setLease(lease.id()).setPrevKv(true)).build();
    }

    private static RequestOp range(RangeRequest request) {
        return RequestOp.newBuilder().setRequestRange(request).build();
    }

    private ByteString myKey(String name) {
        return d.keys().key(name, plan.type(), ids.get(name));
    }

    private long remainingNanos() {
        return plan.patienceNanos() - (System.nanoTime() - start);
    }

    /** Why waiting ended: the deadline ({@code timeout}); the retries' schedule when it ends first ({@code locked}). */
    private LockResult.Reason outOfPatience() {
        return plan.timeoutNanos() == 0 || plan.patienceNanos() < plan.timeoutNanos() ? LockResult.Reason.LOCKED
                : LockResult.Reason.TIMEOUT;
    }

    private static <T> Uni<Boolean> waitAtMost(Uni<T> event, long nanos) {
        if (nanos <= 0) {
            return Uni.createFrom().item(false);
        }
        return event.map(v -> true).ifNoItem().after(Duration.ofNanos(nanos)).recoverWithItem(false);
    }
}
