package io.hasp.lock;

import java.nio.file.Path;
import java.util.Collection;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Exclusive and shared locks on files and named resources, reactive: a caller waiting for a lock holds no thread.
 *
 * <p>Contract, shared by every implementation and checked by one contract test:
 * <ol>
 *   <li>{@link #acquire} never blocks the calling thread; the returned {@code Uni} completes with
 *       {@link LockResult.Acquired} or {@link LockResult.Failed}, never with a failure for a busy lock.</li>
 *   <li>At most one exclusive holder per resource at any time, and never an exclusive holder together with shared
 *       ones, across threads and processes.</li>
 *   <li>Each successful acquisition is balanced by one {@link LockHandle#release()}.</li>
 *   <li>{@link #withLock} releases when its work has ended (item or failure). A caller that cancels while waiting
 *       leaves nothing held; a caller that cancels while the work runs does not stop it: the lock is held until
 *       the work has ended, so a half-done read-modify-write is never exposed to the next holder.</li>
 *   <li>{@link #acquireAll} takes its resources in one canonical (sorted) order, all or none.</li>
 * </ol>
 */
public interface FileLockService {

    /** Acquires a lock on {@code resource} (its lock file is {@code resource + ".lock"}). */
    Uni<LockResult> acquire(Path resource, LockOptions options);

    default Uni<LockResult> acquire(Path resource) {
        return acquire(resource, LockOptions.defaults());
    }

    /**
     * Acquires every resource with the same options, in sorted order of their normalized absolute paths, sharing
     * one deadline. On failure the locks already taken are released before the result is emitted.
     */
    Uni<LockResult> acquireAll(Collection<Path> resources, LockOptions options);

    /**
     * Runs {@code work} while holding the lock and releases it when {@code work} has ended (item or failure), even
     * if the caller cancelled meanwhile. Fails with {@link LockException} when the lock cannot be had.
     */
    <T> Uni<T> withLock(Path resource, Supplier<Uni<T>> work, LockOptions options);

    default <T> Uni<T> withLock(Path resource, Supplier<Uni<T>> work) {
        return withLock(resource, work, LockOptions.defaults());
    }

    /** Whether a live holder (of any type) holds {@code resource} now. Stale holders do not count. */
    Uni<Boolean> isLocked(Path resource);
}
