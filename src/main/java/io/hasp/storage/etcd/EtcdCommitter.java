package io.hasp.storage.etcd;

import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jboss.logging.Logger;

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
import io.hasp.storage.Batch;
import io.hasp.storage.CorruptRecordException;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.Versioned;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The changes of one record in this replica, made in etcd by optimistic transactions, with group commit:
 * <ol>
 *   <li>A change joins the pending list; when no batch is going on, one starts with the pending changes (at most
 *       {@code batchMax}, {@code batchMaxBytes}, and what one transaction can carry).</li>
 *   <li>On a worker thread, the batch is applied in order to this replica's copy of the record ({@link Batch}),
 *       which is read first when there is none.</li>
 *   <li>One transaction writes the result, if the record's meta key still has the revision of the copy (or, for an
 *       absent record, if it is still absent and its tombstone unchanged). A batch that writes nothing sends the same
 *       comparison with nothing to write, so that what it answers was true of the record as stored.</li>
 *   <li>Succeeded: the copy becomes the result, each caller is answered, the next batch starts, unless the same
 *       transaction read another replica's waiting key for the record: then the next batch waits until that replica
 *       has had its turn, for a bounded time ({@link WaitingRoom}).</li>
 *   <li>Failed comparison: another writer (another replica) changed the record. The same transaction's other branch
 *       read the meta key, the tombstone and (a few of) the entries changed since the copy, so the copy catches up
 *       without another round trip, and this replica is registered as waiting (a key on its lease, put by
 *       the same branch; deleted by the transaction that goes through); the batch is applied again (step 2), after a short random pause from the
 *       second time on, until {@code hasp.lock.timeout} has passed (then 503, nothing written). If the meta says this
 *       replica's last batch is this one, a retried transaction (after a time-out) went through the first time:
 *       the batch is answered as made.</li>
 *   <li>Too large for one transaction: a batch of several changes is split, a single change fails alone with
 *       {@link LimitExceededException}. etcd unreachable: the batch fails with 503 and the copy is forgotten.</li>
 * </ol>
 * Callers that went away are simply not answered; their changes go on.
 */
final class EtcdCommitter<T extends Versioned<T>> {

    private static final Logger LOG = Logger.getLogger(EtcdCommitter.class);
    /** Changed entries read along with a failed comparison; more are read page by page. */
    private static final int PREFETCH = 64;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of();

    private final String id;
    private final StoreContext<T> ctx;
    private final AtomicReference<Snapshot<T>> snapshot = new AtomicReference<>();
    private final ArrayDeque<Batch.Change<T, ?>> pending = new ArrayDeque<>();
    private boolean running;
    /** Whether this replica's waiting key for the record may exist ({@link WaitingRoom}). */
    private volatile boolean registered;

    /**
     * What one try of a batch sends, and what it leaves if it goes through; {@code turns}: whether its success branch
     * reads the record's waiting keys (last) and deletes this replica's; {@code lease}: the lease its failure branch
     * puts this replica's waiting key on (0: none).
     */
    private record Attempt<T>(Snapshot<T> base, Batch.Outcome<T> outcome, TxnRequest txn, Meta meta,
                              Tombstone tombstone, boolean turns, long lease) {
    }

    EtcdCommitter(String id, StoreContext<T> ctx) {
        this.id = id;
        this.ctx = ctx;
    }

    /** Whether a batch is going on or changes wait: an idle committer may be dropped from a cache. */
    synchronized boolean busy() {
        return running || !pending.isEmpty();
    }

    /** This replica's copy, or {@code null}. */
    Snapshot<T> copy() {
        return snapshot.get();
    }

    /** Keeps {@code s} as this replica's copy unless the copy is newer. */
    void offer(Snapshot<T> s) {
        snapshot.accumulateAndGet(s, (old, next) -> old == null || next.revision() >= old.revision() ? next : old);
    }

    <R> Uni<R> submit(OptionalLong expected, long weight, Function<Optional<T>, Modification<T, R>> change) {
        return Uni.createFrom().emitter(caller -> {
            boolean start;
            synchronized (this) {
                pending.addLast(new Batch.Change<>(expected, weight, change, caller));
                start = !running;
                running = true;
            }
            if (start) {
                next();
            }
        });
    }

    private void next() {
        List<Batch.Change<T, ?>> batch = takeBatch();
        if (!batch.isEmpty()) {
            attempt(batch, System.nanoTime() + ctx.patience().toNanos(), newBatchId(), 0);
        } else {
            stopWaiting();
        }
    }

    private List<Batch.Change<T, ?>> takeBatch() {
        int most = Math.max(1, Math.min(ctx.settings().batchMax(), (ctx.maxTxnOps() - 4) / 2));
        List<Batch.Change<T, ?>> batch = new ArrayList<>();
        long bytes = 0;
        synchronized (this) {
            while (!pending.isEmpty() && batch.size() < most) {
                Batch.Change<T, ?> c = pending.peekFirst();
                if (!batch.isEmpty() && bytes + c.weight() > ctx.settings().batchMaxBytes()) {
                    break;
                }
                bytes += c.weight();
                batch.add(pending.pollFirst());
            }
            if (batch.isEmpty()) {
                running = false;
            }
        }
        return batch;
    }

    private void attempt(List<Batch.Change<T, ?>> batch, long deadline, String batchId, int tries) {
        Snapshot<T> known = snapshot.get();
        Uni<Snapshot<T>> base = known != null ? Uni.createFrom().item(known)
                : ctx.reader().load(id, null).invoke(this::offer);
        base.emitOn(Infrastructure.getDefaultWorkerPool())
                .chain(b -> prepare(b, Batch.apply(b.value(), batch, versions(b)), batchId))
                .subscribe().with(a -> send(batch, a, deadline, batchId, tries), f -> fail(batch, f));
    }

    private Batch.Versions versions(Snapshot<T> base) {
        long floor = base.lastVersion() + 1;
        return new Batch.Versions() {
            @Override
            public long first() {
                return Math.max(ctx.micros(), floor);
            }

            @Override
            public long floor() {
                return floor;
            }
        };
    }

    private Uni<Attempt<T>> prepare(Snapshot<T> base, Batch.Outcome<T> out, String batchId) {
        if (out.changed() && base.exists() && out.after() != null
                && ctx.layout().needsEntries(base.value(), out.after())) {
            return ctx.reader().entries(id, base.modRevision(), 0).emitOn(Infrastructure.getDefaultWorkerPool())
                    .map(entries -> build(base, out, entries, batchId));
        }
        return Uni.createFrom().item(() -> build(base, out, null, batchId));
    }

    private Attempt<T> build(Snapshot<T> base, Batch.Outcome<T> out, SortedMap<String, byte[]> entries,
                             String batchId) {
        RecordKeys keys = ctx.keys();
        TxnRequest.Builder txn = TxnRequest.newBuilder();
        if (base.exists()) {
            txn.addCompare(compare(keys.meta(id), Compare.CompareTarget.MOD).setModRevision(base.modRevision()));
        } else {
            txn.addCompare(compare(keys.meta(id), Compare.CompareTarget.VERSION).setVersion(0));
            txn.addCompare(compare(keys.tombstone(id), Compare.CompareTarget.MOD).setModRevision(base.tombRevision()));
        }
        txn.addFailure(RecordReader.rangeOp(keys.meta(id))).addFailure(RecordReader.rangeOp(keys.tombstone(id)));
        if (base.exists() && ctx.layout().hasEntries()) {
            ByteString prefix = keys.entries(id);
            txn.addFailure(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(prefix)
                    .setRangeEnd(RecordKeys.rangeEnd(prefix)).setMinModRevision(base.modRevision() + 1)
                    .setLimit(PREFETCH)));
        }
        if (!out.changed()) {
            return new Attempt<>(base, out, txn.build(), null, null, false, 0);
        }
        try {
            Map<String, String> writers = Meta.wrote(base.exists() ? base.meta().writers()
                    : base.tombstone() == null ? Map.of() : base.tombstone().writers(), ctx.writer(), batchId);
            if (out.after() == null) {
                Tombstone gone = new Tombstone(out.before().version(), writers);
                txn.addSuccess(delete(keys.meta(id), null));
                if (ctx.layout().hasEntries()) {
                    txn.addSuccess(delete(keys.entries(id), RecordKeys.rangeEnd(keys.entries(id))));
                }
                txn.addSuccess(put(keys.tombstone(id), gone.bytes(ctx.json())));
                return turns(txn, base, out, null, gone);
            }
            EtcdLayout.Writes w = ctx.layout().writes(base.value(), out.after(), entries,
                    base.exists() ? base.meta().seq() : 0, ctx.json());
            Meta m = new Meta(ctx.layout().head(out.after(), ctx.json()), w.seq(),
                    (base.exists() ? base.meta().removals() : 0) + (w.removes() ? 1 : 0),
                    (base.exists() ? base.meta().moves() : 0) + (w.moves() ? 1 : 0), writers);
            txn.addSuccess(put(keys.meta(id), m.bytes(ctx.json())));
            ByteString prefix = keys.entries(id);
            for (Map.Entry<String, byte[]> e : w.puts().entrySet()) {
                ByteString key = prefix.concat(RecordKeys.bytes(e.getKey()));
                txn.addSuccess(put(key, ctx.seal(key.toByteArray(), e.getValue())));
            }
            for (String suffix : w.deletes()) {
                if (!w.puts().containsKey(suffix)) {
                    txn.addSuccess(delete(prefix.concat(RecordKeys.bytes(suffix)), null));
                }
            }
            if (!base.exists() && base.tombRevision() != 0) {
                txn.addSuccess(delete(keys.tombstone(id), null));
            }
            return turns(txn, base, out, m, null);
        } catch (IOException | RuntimeException e) {
            throw e instanceof LimitExceededException limit ? limit : ctx.reader().corrupt(id, e);
        }
    }

    /**
     * The attempt of {@code txn} with the turns between replicas added, when they fit in the transaction: the success
     * branch deletes this replica's waiting key (if it may exist) and reads the record's, the failure branch puts this
     * replica's on its lease (when it has one).
     */
    private Attempt<T> turns(TxnRequest.Builder txn, Snapshot<T> base, Batch.Outcome<T> out, Meta m, Tombstone gone) {
        if (txn.getSuccessCount() + 2 > ctx.maxTxnOps()) {
            return new Attempt<>(base, out, txn.build(), m, gone, false, 0);
        }
        ByteString mine = ctx.keys().waiter(id, ctx.writer());
        ByteString waiting = ctx.keys().waiting(id);
        txn.addSuccess(delete(mine, null));
        txn.addSuccess(RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(waiting)
                .setRangeEnd(RecordKeys.rangeEnd(waiting)).setKeysOnly(true).setLimit(WaitingRoom.READ_LIMIT)));
        long lease = ctx.waiting().lease();
        if (lease != 0) {
            txn.addFailure(RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(mine).setLease(lease)));
        }
        return new Attempt<>(base, out, txn.build(), m, gone, true, lease);
    }

    private void send(List<Batch.Change<T, ?>> batch, Attempt<T> a, long deadline, String batchId, int tries) {
        TxnRequest txn = a.txn();
        if (txn.getSuccessCount() > ctx.maxTxnOps() || txn.getSerializedSize() > ctx.maxRequestBytes()) {
            tooLarge(batch, txn, deadline, batchId);
            return;
        }
        ctx.etcd().txn(txn).subscribe().with(r -> {
            if (r.getSucceeded()) {
                long revision = r.getHeader().getRevision();
                made(a, revision);
                a.outcome().answer(batch);
                if (a.turns()) {
                    registered = false;
                    ctx.waiting().after(ctx.keys().waiter(id, ctx.writer()),
                            r.getResponses(r.getResponsesCount() - 1).getResponseRange().getKvsList(), revision,
                            this::next);
                } else {
                    next();
                }
            } else {
                lost(batch, a, r, deadline, batchId, tries);
            }
        }, f -> {
            if (a.lease() != 0 && EtcdClient.notFound(f)) {
                // the lease of the waiting key ended: nothing was applied; try again without it
                ctx.waiting().lost(a.lease());
                attempt(batch, deadline, batchId, tries);
            } else {
                fail(batch, f);
            }
        });
    }

    private void made(Attempt<T> a, long revision) {
        Snapshot<T> base = a.base();
        if (!a.outcome().changed()) {
            return;
        }
        if (a.outcome().after() == null) {
            offer(Snapshot.absent(a.tombstone(), revision, revision));
        } else {
            offer(Snapshot.present(a.outcome().after(), revision, base.exists() ? base.createRevision() : revision,
                    a.meta()));
        }
    }

    /** The comparison failed: the record changed meanwhile (or this batch's first try went through). */
    private void lost(List<Batch.Change<T, ?>> batch, Attempt<T> a, TxnResponse r, long deadline, String batchId,
                      int tries) {
        KeyValue meta = RecordReader.first(r.getResponses(0).getResponseRange());
        KeyValue tomb = RecordReader.first(r.getResponses(1).getResponseRange());
        List<KeyValue> changed = r.getResponsesCount() > 2 && r.getResponses(2).hasResponseRange()
                && !r.getResponses(2).getResponseRange().getMore() ? r.getResponses(2).getResponseRange().getKvsList()
                : null;
        if (a.lease() != 0) {
            registered = true;
        } else if (a.turns()) {
            ctx.waiting().needLease();
        }
        boolean ours = a.outcome().changed() && ours(meta, tomb, batchId);
        ctx.reader().from(id, meta, tomb, r.getHeader().getRevision(), a.base(), changed).subscribe().with(s -> {
            offer(s);
            if (ours) {
                a.outcome().answer(batch);
                next();
            } else if (System.nanoTime() - deadline > 0) {
                stopWaiting();
                batch.forEach(c -> c.caller().fail(ctx.contended()));
                next();
            } else {
                retryLater(batch, deadline, batchId, tries + 1);
            }
        }, f -> fail(batch, f));
    }

    private boolean ours(KeyValue meta, KeyValue tomb, String batchId) {
        try {
            if (meta != null) {
                return batchId.equals(Meta.parse(meta.getValue().toByteArray(), ctx.json()).writers()
                        .get(ctx.writer()));
            }
            return tomb != null && batchId.equals(Tombstone.parse(tomb.getValue().toByteArray(), ctx.json())
                    .writers().get(ctx.writer()));
        } catch (IOException e) {
            return false;
        }
    }

    private void retryLater(List<Batch.Change<T, ?>> batch, long deadline, String batchId, int tries) {
        if (tries < 2) {
            attempt(batch, deadline, batchId, tries);
            return;
        }
        // at least 1 ms: Mutiny refuses a zero delay, and a refusal here would be dropped, leaving the batch unanswered
        long pauseMs = 1 + ThreadLocalRandom.current().nextLong(Math.min(50, 1L << Math.min(tries, 6)));
        Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(pauseMs))
                .subscribe().with(x -> attempt(batch, deadline, batchId, tries));
    }

    private void tooLarge(List<Batch.Change<T, ?>> batch, TxnRequest txn, long deadline, String batchId) {
        if (batch.size() > 1) {
            List<Batch.Change<T, ?>> first = new ArrayList<>(batch.subList(0, batch.size() / 2));
            synchronized (this) {
                List<Batch.Change<T, ?>> rest = batch.subList(batch.size() / 2, batch.size());
                for (int i = rest.size() - 1; i >= 0; i--) {
                    pending.addFirst(rest.get(i));
                }
            }
            attempt(first, deadline, batchId, 0);
            return;
        }
        boolean ops = txn.getSuccessCount() > ctx.maxTxnOps();
        batch.get(0).caller().fail(new LimitExceededException("the change would write " + (ops
                ? txn.getSuccessCount() + " keys in one etcd transaction"
                : txn.getSerializedSize() + " bytes in one etcd request") + ", more than etcd takes",
                ops ? "hasp.etcd.max-txn-ops" : "hasp.etcd.max-request-bytes",
                ops ? ctx.maxTxnOps() : ctx.maxRequestBytes()));
        next();
    }

    /** Deletes this replica's waiting key, if it may exist: it no longer waits to change the record. */
    private void stopWaiting() {
        if (registered) {
            registered = false;
            ctx.waiting().leave(ctx.keys().waiter(id, ctx.writer()));
        }
    }

    private void fail(List<Batch.Change<T, ?>> batch, Throwable f) {
        snapshot.set(null);
        stopWaiting();
        Throwable answer = f instanceof CorruptRecordException || f instanceof LimitExceededException ? f
                : ctx.unreachable();
        if (answer != f) {
            LOG.warnf("a batch of %s %s failed: %s", ctx.kind().label(), id, f.toString());
        }
        batch.forEach(c -> c.caller().fail(answer));
        next();
    }

    private static Compare.Builder compare(ByteString key, Compare.CompareTarget target) {
        return Compare.newBuilder().setKey(key).setTarget(target).setResult(Compare.CompareResult.EQUAL);
    }

    private static RequestOp put(ByteString key, byte[] value) {
        return RequestOp.newBuilder().setRequestPut(PutRequest.newBuilder().setKey(key)
                .setValue(ByteString.copyFrom(value))).build();
    }

    private static RequestOp delete(ByteString key, ByteString end) {
        DeleteRangeRequest.Builder d = DeleteRangeRequest.newBuilder().setKey(key);
        if (end != null) {
            d.setRangeEnd(end);
        }
        return RequestOp.newBuilder().setRequestDeleteRange(d).build();
    }

    private static String newBatchId() {
        byte[] bytes = new byte[8];
        RANDOM.nextBytes(bytes);
        return HEX.formatHex(bytes);
    }
}
