package io.hasp.storage.etcd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;

import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.WatchCreateRequest;
import io.hasp.storage.ChangeLimits;
import io.hasp.storage.CorruptRecordException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordStore;
import io.hasp.storage.SafeNames;
import io.hasp.storage.Versioned;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;

/**
 * The etcd backend of {@link RecordStore}: each record is a meta key plus, for kinds with entries, one key per entry
 * ({@link EtcdLayout}, {@link RecordKeys}); changes are optimistic transactions with group commit
 * ({@link EtcdCommitter}); reads are linearizable and reuse this replica's copy of a record while its meta key has
 * not changed ({@link RecordReader}). Nothing is written to the local data directory. Entries of secret kinds are
 * sealed ({@link Sealer}).
 *
 * <p>A deleted record leaves a tombstone with its last version, so a record created again starts above it: versions
 * never come back, whatever the replicas' clocks. Tombstones stay (a few bytes per deleted id).
 */
public final class EtcdRecordStore<T extends Versioned<T>> implements RecordStore<T> {

    private static final Logger LOG = Logger.getLogger(EtcdRecordStore.class);
    /** Pause before a broken watch is opened again. */
    private static final Duration REWATCH = Duration.ofMillis(200);

    private final StoreContext<T> ctx;
    private final LinkedHashMap<String, EtcdCommitter<T>> records = new LinkedHashMap<>(64, 0.75f, true);
    private final List<Runnable> watches = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();

    EtcdRecordStore(StoreContext<T> ctx) {
        this.ctx = ctx;
    }

    @Override
    public Uni<Optional<T>> get(String id) {
        EtcdCommitter<T> record = record(id);
        return ctx.reader().load(id, record.copy()).invoke(record::offer).map(s -> Optional.ofNullable(s.value()))
                .onFailure(f -> !(f instanceof CorruptRecordException)).transform(f -> ctx.unreachable());
    }

    @Override
    public Optional<T> getNow(String id) {
        if (Context.isOnEventLoopThread()) {
            throw new IllegalStateException("a blocking read on the event loop");
        }
        return get(id).await().atMost(ctx.readPatience());
    }

    @Override
    public Uni<List<T>> list() {
        if (ctx.kind().singleton()) {
            return get(ctx.kind().singletonId()).map(found -> found.map(List::of).orElse(List.of()));
        }
        return listing(0);
    }

    /**
     * The revision of the etcd cluster now (a linearizable read): reading every kind at it ({@link #listAt}) gives
     * one consistent state of every record.
     */
    public Uni<Long> revision() {
        ByteString prefix = ctx.keys().metas();
        return ctx.etcd().range(RangeRequest.newBuilder().setKey(prefix).setRangeEnd(RecordKeys.rangeEnd(prefix))
                        .setCountOnly(true).build()).map(r -> r.getHeader().getRevision())
                .onFailure().transform(f -> ctx.unreachable());
    }

    /**
     * Every record of the kind as it was at etcd revision {@code revision} (from {@link #revision}, of this store or
     * another of the same cluster), each whole and as of that one moment. Fails (503) when etcd has compacted that
     * revision meanwhile.
     */
    public Uni<List<T>> listAt(long revision) {
        if (revision <= 0) {
            throw new IllegalArgumentException("a revision is at least 1");
        }
        if (ctx.kind().singleton()) {
            String id = ctx.kind().singletonId();
            return ctx.reader().load(id, record(id).copy(), revision).map(s -> s.value() == null ? List.<T>of()
                    : List.of(s.value()))
                    .onFailure(f -> !(f instanceof CorruptRecordException)).transform(f -> ctx.unreachable());
        }
        return listing(revision);
    }

    /** The records listed at {@code revision} (0: now), unreadable ones left out with a warning. */
    private Uni<List<T>> listing(long revision) {
        ByteString prefix = ctx.keys().metas();
        return ctx.reader().range(prefix, RecordKeys.rangeEnd(prefix), revision, 0)
                .onItem().transformToMulti(metas -> Multi.createFrom().iterable(metas.kvs())
                        .map(kv -> new Listed(kv, metas.revision())))
                .onItem().transformToUniAndConcatenate(this::listed)
                .filter(Optional::isPresent).map(Optional::get)
                .collect().asList()
                .onFailure(f -> !(f instanceof CorruptRecordException)).transform(f -> ctx.unreachable());
    }

    /** A meta key found by a listing, and the revision the listing read at. */
    private record Listed(KeyValue meta, long revision) {
    }

    /** The record a listed meta key holds, or empty (and a warning) when it cannot be read. */
    private Uni<Optional<T>> listed(Listed listed) {
        KeyValue meta = listed.meta();
        String id = ctx.keys().idOf(meta.getKey());
        if (!SafeNames.isSafe(id)) {
            return Uni.createFrom().item(Optional.empty());
        }
        EtcdCommitter<T> record = record(id);
        return ctx.reader().from(id, meta, null, listed.revision(), record.copy(), null)
                .invoke(record::offer).map(s -> Optional.ofNullable(s.value()))
                .onFailure(CorruptRecordException.class).recoverWithItem(f -> {
                    LOG.warnf("skipping unreadable record: %s", f.getMessage());
                    return Optional.empty();
                });
    }

    @Override
    public <R> Uni<R> change(String id, OptionalLong expectedVersion, long weight,
                             Function<Optional<T>, Modification<T, R>> change) {
        return record(id).submit(expectedVersion, weight, change);
    }

    /** At most what one transaction takes, with room for the meta key, the tombstone and two keys per entry. */
    @Override
    public ChangeLimits limits() {
        return new ChangeLimits(Math.max(1, (ctx.maxTxnOps() - 4) / 2), Math.max(1, ctx.maxRequestBytes() * 2 / 3));
    }

    @Override
    public boolean watch(String id, Runnable onChange, Runnable onBlind) {
        checkId(id);
        open(id, onChange, onBlind);
        return true;
    }

    private void open(String id, Runnable onChange, Runnable onBlind) {
        if (closed.get()) {
            return;
        }
        AtomicBoolean ended = new AtomicBoolean();
        AtomicReference<Runnable> self = new AtomicReference<>();
        Runnable cancel = ctx.etcd().watch(WatchCreateRequest.newBuilder().setKey(ctx.keys().meta(id)).build(),
                response -> {
                    if (response.getCreated() || response.getEventsCount() > 0) {
                        onChange.run();
                    }
                    if (response.getCanceled()) {
                        reopen(id, onChange, onBlind, ended, self.get());
                    }
                },
                failure -> reopen(id, onChange, onBlind, ended, self.get()));
        self.set(cancel);
        synchronized (watches) {
            watches.add(cancel);
        }
    }

    private void reopen(String id, Runnable onChange, Runnable onBlind, AtomicBoolean ended, Runnable cancel) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        synchronized (watches) {
            watches.remove(cancel);
        }
        onBlind.run();
        if (!closed.get()) {
            LOG.debugf("the watch of %s %s ended; opening it again", ctx.kind().label(), id);
            Uni.createFrom().voidItem().onItem().delayIt().by(REWATCH)
                    .subscribe().with(x -> open(id, onChange, onBlind));
        }
    }

    /** Ends every watch this store opened. */
    void close() {
        closed.set(true);
        List<Runnable> all;
        synchronized (watches) {
            all = new ArrayList<>(watches);
            watches.clear();
        }
        all.forEach(cancel -> {
            try {
                cancel.run();
            } catch (RuntimeException e) {
                LOG.debugf("ending a watch: %s", e.toString());
            }
        });
    }

    private void checkId(String id) {
        if (ctx.kind().singleton()) {
            if (!ctx.kind().singletonId().equals(id)) {
                throw new IllegalArgumentException(ctx.kind().name() + " has one record, " + ctx.kind().singletonId());
            }
        } else {
            SafeNames.require(ctx.kind().label() + " id", id);
        }
    }

    private EtcdCommitter<T> record(String id) {
        checkId(id);
        synchronized (records) {
            EtcdCommitter<T> r = records.get(id);
            if (r == null) {
                r = new EtcdCommitter<>(id, ctx);
                records.put(id, r);
                Iterator<Map.Entry<String, EtcdCommitter<T>>> eldest = records.entrySet().iterator();
                while (records.size() > ctx.settings().cacheSize() && eldest.hasNext()) {
                    if (!eldest.next().getValue().busy()) {
                        eldest.remove();
                    }
                }
            }
            return r;
        }
    }
}
