package io.hasp.lease;

import java.util.List;

import io.smallrye.mutiny.Uni;

/**
 * The backend of named locks ({@code /v1/locks/**}): where grants live and how waiters learn of releases. The
 * resource speaks only to this interface; the implementation is chosen at run time from {@code hasp.backend}.
 *
 * <p>Contract, the same for every backend (one abstract contract test checks it):
 * <ol>
 *   <li>Every grant is a lease: it ends at {@code expiresAt} unless renewed, and it survives the replica that granted
 *       it. Any replica of the same backend can renew or release it by {@code lockId}.</li>
 *   <li>At most one exclusive holder per name, never together with shared holders; a waiting writer is not starved
 *       by a stream of readers.</li>
 *   <li>{@code fencingToken} strictly increases with every grant of a name, across replicas and restarts.</li>
 *   <li>Outcomes other than success are {@link io.hasp.http.ProblemException}s with API.md's statuses: 409
 *       {@code timeout}/{@code locked} carrying the holder, 404 for a lock id that no longer holds the name, 400 for
 *       a lease over {@code hasp.lease.max}, 503 {@code error} when the backend cannot be reached or read.</li>
 *   <li>No method blocks the calling thread; waiting holds no thread.</li>
 * </ol>
 */
public interface LockBackend {

    /** Acquires {@code name}: the grant, or a 409/503 problem. */
    Uni<LockGrant> acquire(LockName name, AcquireOptions options);

    /** Acquires every name or none, deadlock-free, sharing one deadline; grants in sorted order of the names. */
    Uni<LockGrants> acquireAll(List<LockName> names, AcquireOptions options);

    /**
     * Extends the lease of {@code lockId} by {@code leaseMs}, or by the length it was granted with when the request
     * names none; 404 when it no longer holds {@code name}.
     */
    Uni<LockGrant> renew(LockName name, String lockId, RenewRequest request);

    /** Releases {@code lockId}; 404 when it holds nothing (released, expired or taken over). */
    Uni<Void> release(LockName name, String lockId);

    /**
     * Ends every grant of {@code name}, whoever holds it (an operator's tool): {@code true} when something was held,
     * {@code false} when nothing was.
     */
    Uni<Boolean> forceRelease(LockName name);

    /** The live holders of {@code name}; never a lock id. */
    Uni<LockStatus> status(LockName name);

    /** Every name that has a live holder, sorted by name. */
    Uni<LockStatusList> list();

    /** Live holders of every named lock, for the holders gauge. */
    default Uni<Integer> countHolders() {
        return list().map(l -> l.locks().stream().mapToInt(s -> s.holders().size()).sum());
    }
}
