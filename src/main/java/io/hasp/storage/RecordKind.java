package io.hasp.storage;

import io.hasp.storage.etcd.EtcdLayout;

/**
 * A kind of record and how each backend stores it. On files, a record of a kind with ids is
 * {@code <data-dir>/<name>/<id>.json}; a singleton (one record of its kind) is {@code <data-dir>/<name>.json}. In
 * etcd, {@code layout} says which keys hold it.
 *
 * @param name      the kind's path under the data directory and its key prefix in etcd ({@code queues},
 *                  {@code file-changes/sessions}, {@code tokens})
 * @param label     what an id names, in messages ({@code queue}: "queue id", "queue builds")
 * @param type      the record class
 * @param singleton whether the kind has one record only ({@code tokens.json}), whose id is {@link #singletonId()}
 * @param secret    whether records hold secrets: files are created with mode 0600; etcd entries are sealed
 * @param journal   how the file backend writes a change briefly, or {@code null} to write records whole
 * @param layout    how the etcd backend lays the record out in keys
 * @param <T>       the record type
 */
public record RecordKind<T extends Versioned<T>>(String name, String label, Class<T> type, boolean singleton,
                                                 boolean secret, JournalCodec<T> journal, EtcdLayout<T> layout) {

    public RecordKind {
        if (name == null || name.isEmpty() || name.startsWith("/") || name.endsWith("/")) {
            throw new IllegalArgumentException("a record kind needs a relative name");
        }
    }

    /** A kind with one record per id, each stored whole (one file, one etcd key). */
    public static <T extends Versioned<T>> RecordKind<T> whole(String name, String label, Class<T> type) {
        return new RecordKind<>(name, label, type, false, false, null, EtcdLayout.whole(type));
    }

    /** The id of a singleton's one record: the last segment of the kind's name ({@code index}, {@code tokens}). */
    public String singletonId() {
        return name.substring(name.lastIndexOf('/') + 1);
    }
}
