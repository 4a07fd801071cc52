package io.hasp.storage;

/**
 * Where repositories get the {@link RecordStore} of their kind. The application's is {@link BackendRecordStores}
 * (the backend {@code hasp.backend} names); tests give stores of their own (files in a temporary directory, one etcd
 * replica among several).
 */
public interface RecordStores {

    /** The store of the records of {@code kind}. */
    <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind);
}
