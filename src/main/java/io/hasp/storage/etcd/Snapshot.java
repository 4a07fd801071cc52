package io.hasp.storage.etcd;

/**
 * A record as read from etcd, or as this replica last wrote it: the value ({@code null}: absent), the meta key's
 * revisions and content, and for an absent record its tombstone. {@code revision} orders snapshots of one record: a
 * present one holds from its meta key's last change, an absent one from the read that found it absent.
 */
record Snapshot<T>(T value, long modRevision, long createRevision, Meta meta, Tombstone tombstone,
                   long tombRevision, long revision) {

    static <T> Snapshot<T> present(T value, long modRevision, long createRevision, Meta meta) {
        return new Snapshot<>(value, modRevision, createRevision, meta, null, 0, modRevision);
    }

    static <T> Snapshot<T> absent(Tombstone tombstone, long tombRevision, long readRevision) {
        return new Snapshot<>(null, 0, 0, null, tombstone, tombRevision, readRevision);
    }

    boolean exists() {
        return value != null;
    }

    /** The last version a deleted record of this id reached, 0 when none is known. */
    long lastVersion() {
        return tombstone == null ? 0 : tombstone.version();
    }
}
