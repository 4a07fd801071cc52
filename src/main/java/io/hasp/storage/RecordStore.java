package io.hasp.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * Where the records of one kind live, by id: the one interface the repositories use, with a file implementation
 * ({@link FileRecordStore}: one file per record under its lock, group commit, journal) and an etcd one
 * ({@code io.hasp.storage.etcd.EtcdRecordStore}: keys changed by transactions that compare the revision they read).
 * Both keep the same promises, checked by one contract test run on each:
 * <ul>
 *   <li>no lost update: every {@link #change} applies to the record as the change before it left it, whoever made
 *       that one (this replica or another);</li>
 *   <li>a change is answered only once it is durable, and a change that fails (its modifier threw, its expected
 *       version did not match, the backend could not be reached) wrote nothing of its own;</li>
 *   <li>versions: a new record starts at its creation time in microseconds, or above every version an earlier
 *       record of that id reached, whichever is higher; every stored change adds one. So an entity tag names one
 *       state of one incarnation and never comes back;</li>
 *   <li>a read ({@link #get}, {@link #list}) sees whole committed versions, and nothing older than what was
 *       committed before the read began.</li>
 * </ul>
 * Modifiers run on a worker thread, may be run more than once for one change (an optimistic write that lost a race is
 * applied again to the newer record) and must therefore depend on nothing but the record they are given and what they
 * read themselves; their answer is taken from the run that was made durable.
 *
 * @param <T> the record type
 */
public interface RecordStore<T extends Versioned<T>> {

    /** The record {@code id} as last committed; empty when absent. */
    Uni<Optional<T>> get(String id);

    /** {@link #get}, blocking: only for code already on a worker thread (a modifier that looks at another record). */
    Optional<T> getNow(String id);

    /** Every record of the kind, sorted by id; a record that cannot be read is left out (and logged). */
    Uni<List<T>> list();

    /**
     * Read-modify-write of record {@code id} (absent: {@code Optional.empty()}): checks {@code expectedVersion} when
     * present (a mismatch fails with {@link VersionConflictException}, absent being version 0), applies
     * {@code change}, stores what it decided and answers with the value it computed from the record as stored.
     * Concurrent changes of one record are applied in order and made durable together where the backend can.
     *
     * @param weight about how many request bytes the change carries (to size batches)
     */
    <R> Uni<R> change(String id, OptionalLong expectedVersion, long weight,
                      Function<Optional<T>, Modification<T, R>> change);

    /** How much one change may write; a change past it fails with {@link LimitExceededException}, writing nothing. */
    ChangeLimits limits();

    /**
     * Calls {@code onChange} soon after every change of record {@code id}, by any replica, while the backend can tell
     * (a watch), and {@code onBlind} whenever it can no longer tell (until it can again, when {@code onChange} is
     * called once more). Answers whether the backend can watch at all; a backend that cannot (files) calls neither,
     * and the caller must look again by itself.
     */
    default boolean watch(String id, Runnable onChange, Runnable onBlind) {
        return false;
    }
}
