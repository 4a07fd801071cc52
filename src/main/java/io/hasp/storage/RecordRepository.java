package io.hasp.storage;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.UnaryOperator;

import io.smallrye.mutiny.Uni;

/**
 * What every repository builds on: the usual shapes of a change (create, save, modify, compute, delete) over the
 * {@link RecordStore} of its kind, whichever backend that is, and the problems they share ("queue q does not exist",
 * "queue q exists already", named by the kind's {@link RecordKind#label() label}). The store keeps the promises (no
 * lost update, whole versions, versions that never come back); a repository says what a change does.
 *
 * <p>A repository has one constructor, for CDI and tests alike: its store comes from {@link RecordStores} (by CDI,
 * the backend {@code hasp.backend} names; in tests, stores of their own) and its time from the application's
 * {@link Clock}.
 *
 * @param <T> the record type
 */
public abstract class RecordRepository<T extends Versioned<T>> {

    protected final RecordStore<T> store;
    protected final Clock clock;
    private final String label;

    /** The repository of the records of {@code kind}, in the store {@code stores} opens for it. */
    protected RecordRepository(RecordStores stores, RecordKind<T> kind, Clock clock) {
        this.store = stores.open(kind);
        this.label = kind.label();
        this.clock = clock;
    }

    /** What a save (create or replace) stored, and whether it created the record. */
    public record Saved<R>(R record, boolean created) {
    }

    /** The store of this repository's kind (export and import go through it). */
    public RecordStore<T> store() {
        return store;
    }

    /** Now, to the millisecond (finer digits only make the JSON noisier). */
    protected Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.MILLIS);
    }

    protected Uni<Optional<T>> read(String id) {
        return store.get(id);
    }

    /** Blocking read, for code already on a worker thread. */
    protected Optional<T> readNow(String id) {
        return store.getNow(id);
    }

    protected Uni<List<T>> listAll() {
        return store.list();
    }

    /** The record {@code current} of id {@code id}; fails with {@link RecordNotFoundException} when absent. */
    protected T existing(String id, Optional<T> current) {
        return current.orElseThrow(() -> new RecordNotFoundException(label + " " + id + " does not exist"));
    }

    /**
     * Creates record {@code id} (a random UUID when {@code id} is null) from {@code make}, given the id and the
     * creation time; fails with {@link RecordConflictException} when the record exists already.
     */
    protected Uni<T> createWithLock(String id, BiFunction<String, Instant, T> make) {
        String newId = id != null ? id : UUID.randomUUID().toString();
        return modifyWithLock(newId, OptionalLong.empty(), current -> {
            if (current.isPresent()) {
                throw new RecordConflictException(label + " " + newId + " exists already");
            }
            return make.apply(newId, now());
        });
    }

    /**
     * Creates or replaces record {@code id}: {@code make} gets the current record (empty for a new one) and the
     * time, and gives the record to store.
     */
    protected Uni<Saved<T>> saveWithLock(String id, OptionalLong expectedVersion,
                                        BiFunction<Optional<T>, Instant, T> make) {
        return computeWithLock(id, expectedVersion, current -> {
            boolean created = current.isEmpty();
            return Modification.write(make.apply(current, now()), stored -> new Saved<>(stored, created));
        });
    }

    /** Read-modify-write; answers the record as stored, with its new version. */
    protected Uni<T> modifyWithLock(String id, OptionalLong expectedVersion, Function<Optional<T>, T> modifier) {
        return computeWithLock(id, expectedVersion,
                current -> Modification.<T, T>write(modifier.apply(current), stored -> stored));
    }

    /**
     * Read-modify-write of a record that must exist: {@code change} gets it (a missing one fails with
     * {@link RecordNotFoundException}) and gives the record to store; answers it as stored.
     */
    protected Uni<T> modifyExisting(String id, OptionalLong expectedVersion, UnaryOperator<T> change) {
        return modifyWithLock(id, expectedVersion, current -> change.apply(existing(id, current)));
    }

    /** Read-modify-write answering a value computed from the stored record ({@link RecordStore#change}). */
    protected <R> Uni<R> computeWithLock(String id, OptionalLong expectedVersion,
                                         Function<Optional<T>, Modification<T, R>> modifier) {
        return store.change(id, expectedVersion, 0, modifier);
    }

    /** {@link #computeWithLock(String, OptionalLong, Function)} for a change of about {@code weight} bytes. */
    protected <R> Uni<R> computeWithLock(String id, OptionalLong expectedVersion, long weight,
                                         Function<Optional<T>, Modification<T, R>> modifier) {
        return store.change(id, expectedVersion, weight, modifier);
    }

    /** What an import did to one record: the record as it was before ({@link #undo} puts it back). */
    public record Restored<T>(String id, Optional<T> before) {
    }

    /**
     * Stores {@code record} (brought back from an export) as record {@code id}, keeping its version unless the stored
     * one is not below it ({@link Modification#restore}); without {@code replace}, a record that exists fails with
     * {@link RecordConflictException} naming {@code what}.
     */
    public Uni<Restored<T>> restore(String id, T record, boolean replace, String what) {
        return computeWithLock(id, OptionalLong.empty(), current -> {
            if (!replace && current.isPresent()) {
                throw new RecordConflictException(what + " exists already");
            }
            return Modification.restore(record, stored -> new Restored<>(id, current));
        });
    }

    /** Undoes a {@link #restore}: the record as it was before, or none. */
    public Uni<Void> undo(Restored<T> restored) {
        return computeWithLock(restored.id(), OptionalLong.empty(), current -> restored.before().isPresent()
                ? Modification.<T, Void>restore(restored.before().get(), stored -> null)
                : Modification.<T, Void>delete(gone -> null));
    }

    /**
     * Deletes record {@code id}; answers whether it existed. With an expected version, a mismatch (including a
     * missing record) fails with {@link VersionConflictException}.
     */
    protected Uni<Boolean> deleteWithLock(String id, OptionalLong expectedVersion) {
        return computeWithLock(id, expectedVersion, current -> Modification.<T, Boolean>delete(r -> r != null));
    }
}
