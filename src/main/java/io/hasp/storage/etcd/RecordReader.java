package io.hasp.storage.etcd;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.etcd.api.RangeResponse;
import io.hasp.etcd.api.RequestOp;
import io.hasp.etcd.api.TxnRequest;
import io.hasp.storage.CorruptRecordException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.Versioned;
import io.smallrye.mutiny.Uni;

/**
 * Reads records of one kind from etcd. A record is its meta key and its entries as of the same revision: every change
 * writes the meta key, so entries read at the revision the meta key was read at belong to that version. A reader that holds
 * an older copy whose entries were neither removed nor moved since (the meta's counters) reads only the entries
 * changed since that copy ({@code min_mod_revision}); otherwise all of them. Large ranges are read in pages, each
 * small enough for one gRPC message, all at one revision.
 */
final class RecordReader<T extends Versioned<T>> {

    /** Entries per page; halved while a page does not fit one message. */
    private static final int PAGE = 512;

    private final EtcdClient etcd;
    private final RecordKind<T> kind;
    private final RecordKeys keys;
    private final EtcdLayout<T> layout;
    private final ObjectMapper json;
    private final Sealer sealer;

    RecordReader(EtcdClient etcd, RecordKind<T> kind, RecordKeys keys, ObjectMapper json, Sealer sealer) {
        this.etcd = etcd;
        this.kind = kind;
        this.keys = keys;
        this.layout = kind.layout();
        this.json = json;
        this.sealer = sealer;
    }

    /** Record {@code id} now (a linearizable read), using {@code cached} where it is still right. */
    Uni<Snapshot<T>> load(String id, Snapshot<T> cached) {
        return load(id, cached, 0);
    }

    /** Record {@code id} as it was at {@code revision} (0: now), using {@code cached} where it is right then. */
    Uni<Snapshot<T>> load(String id, Snapshot<T> cached, long revision) {
        TxnRequest read = TxnRequest.newBuilder()
                .addSuccess(rangeOp(keys.meta(id), revision))
                .addSuccess(rangeOp(keys.tombstone(id), revision))
                .build();
        return etcd.txn(read).chain(r -> from(id, first(r.getResponses(0).getResponseRange()),
                first(r.getResponses(1).getResponseRange()), revision != 0 ? revision : r.getHeader().getRevision(),
                cached, null));
    }

    /**
     * The snapshot that the meta key {@code meta} and tombstone {@code tomb}, read at {@code revision}, describe;
     * {@code changed}, when not {@code null}, holds the entries changed since {@code cached} as read with them.
     */
    Uni<Snapshot<T>> from(String id, KeyValue meta, KeyValue tomb, long revision, Snapshot<T> cached,
                          List<KeyValue> changed) {
        try {
            if (meta == null) {
                Tombstone t = tomb == null ? null : Tombstone.parse(tomb.getValue().toByteArray(), json);
                return Uni.createFrom().item(Snapshot.absent(t, tomb == null ? 0 : tomb.getModRevision(), revision));
            }
            if (cached != null && cached.exists() && cached.modRevision() == meta.getModRevision()) {
                return Uni.createFrom().item(cached);
            }
            Meta m = Meta.parse(meta.getValue().toByteArray(), json);
            if (!layout.hasEntries()) {
                return Uni.createFrom().item(present(meta, m, layout.assemble(m.head(), new TreeMap<>(), json)));
            }
            // a copy newer than the meta key (this replica committed since the read) cannot be brought back to it
            boolean incremental = cached != null && cached.exists() && cached.modRevision() < meta.getModRevision()
                    && cached.createRevision() == meta.getCreateRevision()
                    && cached.meta().removals() == m.removals() && cached.meta().moves() == m.moves();
            if (incremental && changed != null) {
                return Uni.createFrom().item(present(meta, m,
                        layout.catchUp(cached.value(), m.head(), entries(id, changed), json)));
            }
            // the entries as of the read of the meta key: none changed since its last change
            return entries(id, revision, incremental ? cached.modRevision() + 1 : 0)
                    .map(e -> {
                        try {
                            return present(meta, m, incremental ? layout.catchUp(cached.value(), m.head(), e, json)
                                    : layout.assemble(m.head(), e, json));
                        } catch (IOException | RuntimeException bad) {
                            throw corrupt(id, bad);
                        }
                    });
        } catch (IOException | RuntimeException bad) {
            return Uni.createFrom().failure(corrupt(id, bad));
        }
    }

    /** Keys read at one revision. */
    record Range(List<KeyValue> kvs, long revision) {
    }

    /** Every entry of record {@code id} at {@code revision} (changed at {@code minMod} or later), opened. */
    Uni<SortedMap<String, byte[]>> entries(String id, long revision, long minMod) {
        ByteString prefix = keys.entries(id);
        return range(prefix, RecordKeys.rangeEnd(prefix), revision, minMod).map(r -> {
            try {
                return entries(id, r.kvs());
            } catch (RuntimeException bad) {
                // a sealed entry that does not open: the record is unreadable here, etcd is not unreachable
                throw corrupt(id, bad);
            }
        });
    }

    /** Every key in {@code [from, end)} at {@code revision} (0: now), page by page. */
    Uni<Range> range(ByteString from, ByteString end, long revision, long minMod) {
        return page(from, end, revision, minMod, PAGE, new ArrayList<>());
    }

    private Uni<Range> page(ByteString from, ByteString end, long revision, long minMod, int limit,
                            List<KeyValue> into) {
        RangeRequest.Builder request = RangeRequest.newBuilder().setKey(from).setRangeEnd(end).setLimit(limit)
                .setRevision(revision).setMinModRevision(minMod);
        return etcd.range(request.build())
                .onFailure(f -> tooLarge(f) && limit > 1).recoverWithItem(() -> null)
                .chain(r -> {
                    if (r == null) {
                        return page(from, end, revision, minMod, limit / 2, into);
                    }
                    into.addAll(r.getKvsList());
                    long at = revision != 0 ? revision : r.getHeader().getRevision();
                    if (!r.getMore() || r.getKvsCount() == 0) {
                        return Uni.createFrom().item(new Range(into, at));
                    }
                    ByteString last = r.getKvs(r.getKvsCount() - 1).getKey();
                    return page(last.concat(ByteString.copyFrom(new byte[] {0})), end, at, minMod, limit, into);
                });
    }

    SortedMap<String, byte[]> entries(String id, List<KeyValue> kvs) {
        ByteString prefix = keys.entries(id);
        SortedMap<String, byte[]> out = new TreeMap<>();
        for (KeyValue kv : kvs) {
            if (kv.getKey().startsWith(prefix)) {
                out.put(kv.getKey().substring(prefix.size()).toStringUtf8(), open(kv));
            }
        }
        return out;
    }

    private byte[] open(KeyValue kv) {
        byte[] value = kv.getValue().toByteArray();
        return kind.secret() ? sealer.open(kv.getKey().toByteArray(), value) : value;
    }

    private Snapshot<T> present(KeyValue meta, Meta m, T value) {
        return Snapshot.present(value, meta.getModRevision(), meta.getCreateRevision(), m);
    }

    CorruptRecordException corrupt(String id, Throwable why) {
        String problem = why instanceof Sealer.SealedValueException sealed ? sealed.getMessage()
                : "not a valid " + kind.type().getSimpleName() + " (" + why.getClass().getSimpleName() + ")";
        return new CorruptRecordException(kind.singleton() ? kind.name() : kind.name() + "/" + id, problem);
    }

    static RequestOp rangeOp(ByteString key) {
        return rangeOp(key, 0);
    }

    /** A read of {@code key} at {@code revision} (0: the transaction's). */
    static RequestOp rangeOp(ByteString key, long revision) {
        return RequestOp.newBuilder().setRequestRange(RangeRequest.newBuilder().setKey(key).setRevision(revision))
                .build();
    }

    static KeyValue first(RangeResponse r) {
        return r.getKvsCount() == 0 ? null : r.getKvs(0);
    }

    private static boolean tooLarge(Throwable f) {
        Throwable t = f;
        while (t != null) {
            if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                return true;
            }
            t = t.getCause();
        }
        return false;
    }
}
