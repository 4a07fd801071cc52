package io.hasp.storage.etcd;

import java.nio.charset.StandardCharsets;

import com.google.protobuf.ByteString;

import io.hasp.storage.RecordKind;

/**
 * The keys of one record kind in etcd, under {@code hasp.etcd.namespace} ({@code N}), for a kind named {@code K}:
 * <pre>
 * N K/ID                  the record's meta key: the record itself, or its head when it has entries ({@link Meta})
 * N K.entries/ID/SUFFIX   one entry of record ID (a queue's command and its place, ...); {@link EtcdLayout}
 * N K                     a singleton's meta key (tokens, credentials, the file-change index)
 * N K/SUFFIX              one entry of a singleton
 * N gone/K/ID             the tombstone of a deleted record: the last version it reached ({@link Tombstone})
 * N waiting/K/ID/WRITER   replica WRITER waits to change record ID, on that replica's lease ({@link WaitingRoom})
 * </pre>
 * Ids never contain {@code /}, so {@code N K/} lists exactly the records of a kind with ids and
 * {@code N K.entries/ID/} is the prefix of exactly one record's entries.
 */
final class RecordKeys {

    /** Below the namespace: where waiting keys are. */
    static final String WAITING = "waiting/";

    private final String namespace;
    private final RecordKind<?> kind;

    RecordKeys(String namespace, RecordKind<?> kind) {
        this.namespace = namespace;
        this.kind = kind;
    }

    ByteString meta(String id) {
        return bytes(kind.singleton() ? namespace + kind.name() : namespace + kind.name() + "/" + id);
    }

    /** Prefix of every entry key of record {@code id}. */
    ByteString entries(String id) {
        return bytes(kind.singleton() ? namespace + kind.name() + "/"
                : namespace + kind.name() + ".entries/" + id + "/");
    }

    ByteString tombstone(String id) {
        return bytes(namespace + "gone/" + kind.name() + "/" + id);
    }

    /** Prefix of the waiting keys of record {@code id}. */
    ByteString waiting(String id) {
        return bytes(namespace + WAITING + kind.name() + "/" + (kind.singleton() ? kind.singletonId() : id) + "/");
    }

    /** The waiting key of {@code writer} for record {@code id}. */
    ByteString waiter(String id, String writer) {
        return waiting(id).concat(bytes(writer));
    }

    /** Prefix of the meta keys of every record of a kind with ids. */
    ByteString metas() {
        return bytes(namespace + kind.name() + "/");
    }

    /** The id of a key under {@link #metas()}. */
    String idOf(ByteString metaKey) {
        return metaKey.substring(metas().size()).toStringUtf8();
    }

    /** The end of the range of keys that start with {@code prefix}, as etcd's clients compute it. */
    static ByteString rangeEnd(ByteString prefix) {
        byte[] end = prefix.toByteArray();
        for (int i = end.length - 1; i >= 0; i--) {
            if (end[i] != (byte) 0xff) {
                end[i]++;
                return ByteString.copyFrom(end, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    static ByteString bytes(String s) {
        return ByteString.copyFrom(s, StandardCharsets.UTF_8);
    }
}
