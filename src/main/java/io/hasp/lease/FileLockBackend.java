package io.hasp.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.hasp.HaspConfig;
import io.hasp.http.ProblemException;
import io.hasp.lock.InternalFiles;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockLostException;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;
import io.hasp.storage.DataDirectory;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The file backend of named locks ({@code hasp.backend=file}), on top of the lock engine. Every grant is a lease: it lives in the lock file
 * {@code <data-dir>/locks/<name>.lock}, so any replica sharing the directory can renew or release it, and it ends at
 * its {@code expiresAt} unless renewed (the sweeper, or the next acquirer, then removes it).
 *
 * <p>Outcomes are answered as {@link ProblemException}s with the statuses of API.md: 409 {@code timeout} /
 * {@code locked} with the holder, 404 for a lock id that no longer holds the lock, 503 {@code error} for I/O faults,
 * 400 for a lease over {@code hasp.lease.max}.
 */
@ApplicationScoped
@Typed(FileLockBackend.class)
public class FileLockBackend implements LockBackend {

    /** Sub-directory of the data directory that holds named locks. */
    public static final String LOCKS_DIR = "locks";

    private static final String LOCK_SUFFIX = ".lock";

    private final LockFileEngine engine;
    private final HaspConfig config;
    private final DataDirectory dataDir;

    @Inject
    public FileLockBackend(LockFileEngine engine, HaspConfig config, DataDirectory dataDir) {
        this.engine = engine;
        this.config = config;
        this.dataDir = dataDir;
    }

    /** Directory of the named locks' files. */
    public Path locksDir() {
        return dataDir.file(LOCKS_DIR);
    }

    Path resource(LockName name) {
        return SafeNames.resolve(locksDir(), "lock name", name.value(), "");
    }

    /** Acquires one name: the grant, or a 409/503 problem. */
    @Override
    public Uni<LockGrant> acquire(LockName name, AcquireOptions options) {
        LockOptions lockOptions = toLockOptions(options);
        return engine.acquire(resource(name), lockOptions)
                .map(result -> grants(result).get(0));
    }

    /** Acquires every name or none, in sorted order, sharing one deadline. */
    @Override
    public Uni<LockGrants> acquireAll(List<LockName> names, AcquireOptions options) {
        LockOptions lockOptions = toLockOptions(options);
        List<Path> resources = new TreeSet<>(names).stream().map(this::resource).toList();
        return engine.acquireAll(resources, lockOptions).map(result -> new LockGrants(grants(result)));
    }

    /**
     * Extends the lease of {@code lockId} by {@code leaseMs}, or by the length it was granted with when the request
     * names none (as etcd's keep-alive keeps a lease's TTL); 404 when it no longer holds {@code name}.
     */
    @Override
    public Uni<LockGrant> renew(LockName name, String lockId, RenewRequest request) {
        Duration lease = request.leaseMs() == null ? null : checkLease(request.leaseMs());
        return engine.renew(resource(name), SafeNames.require("lock id", lockId), lease)
                .map(handle -> LockGrant.of(name.value(), handle))
                .onFailure(f -> !(f instanceof LockLostException)).transform(FileLockBackend::ioFault)
                .onFailure(LockLostException.class).transform(f -> LockProblems.notHeld(name));
    }

    /** Releases {@code lockId}; 404 when it held nothing. */
    @Override
    public Uni<Void> release(LockName name, String lockId) {
        return engine.release(resource(name), SafeNames.require("lock id", lockId))
                .onFailure().transform(FileLockBackend::ioFault)
                .map(released -> {
                    if (!released) {
                        throw LockProblems.notHeld(name);
                    }
                    return null;
                });
    }

    @Override
    public Uni<Boolean> forceRelease(LockName name) {
        return engine.forceRelease(resource(name)).onFailure().transform(FileLockBackend::ioFault);
    }

    /** The live holders of {@code name}; never a lock id. */
    @Override
    public Uni<LockStatus> status(LockName name) {
        return engine.holders(resource(name))
                .onFailure().transform(FileLockBackend::ioFault)
                .map(holders -> LockStatus.of(name.value(), holders));
    }

    /** Every named lock that has a live holder, sorted by name. */
    @Override
    public Uni<LockStatusList> list() {
        return Uni.createFrom().item(this::lockFileNames)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(names -> {
                    if (names.isEmpty()) {
                        return Uni.createFrom().item(List.<LockStatus>of());
                    }
                    List<Uni<LockStatus>> statuses = new ArrayList<>();
                    for (String n : names) {
                        statuses.add(engine.holders(locksDir().resolve(n))
                                .map(holders -> LockStatus.of(n, holders)));
                    }
                    return Uni.join().all(statuses).andFailFast();
                })
                .onFailure().transform(FileLockBackend::ioFault)
                .map(all -> new LockStatusList(all.stream().filter(LockStatus::locked).toList()));
    }

    /**
     * Names that have a lock file, sorted. Blocking. Hasp's {@link InternalFiles internal files} and files whose name
     * is not a valid lock name (files of other tools) are not named locks and are left out.
     */
    List<String> lockFileNames() {
        TreeSet<String> names = new TreeSet<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(locksDir(), "*" + LOCK_SUFFIX)) {
            for (Path p : entries) {
                String file = p.getFileName().toString();
                String name = file.substring(0, file.length() - LOCK_SUFFIX.length());
                if (!InternalFiles.isInternal(p) && SafeNames.isSafe(name)) {
                    names.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return List.copyOf(names);
    }

    /** Lease of a request, checked against {@code hasp.lease.max}; absent means {@code hasp.lease.default}. */
    Duration checkLease(Long leaseMs) {
        Duration lease = leaseMs == null ? config.lease().defaultLease() : Duration.ofMillis(leaseMs);
        if (lease.compareTo(config.lease().max()) > 0) {
            throw ProblemException.badRequest("invalid-request",
                    "leaseMs must not exceed " + config.lease().max().toMillis() + " (hasp.lease.max)");
        }
        return lease;
    }

    LockOptions toLockOptions(AcquireOptions o) {
        HaspConfig.Lock defaults = config.lock();
        return new LockOptions(
                o.timeoutMs() == null ? defaults.timeout() : Duration.ofMillis(o.timeoutMs()),
                o.retryIntervalMs() == null ? defaults.retryInterval() : Duration.ofMillis(o.retryIntervalMs()),
                o.maxRetries() == null ? defaults.maxRetries() : o.maxRetries(),
                o.type() == null ? LockType.EXCLUSIVE : o.type(),
                Optional.of(checkLease(o.leaseMs())));
    }

    private List<LockGrant> grants(LockResult result) {
        if (result instanceof LockResult.Acquired acquired) {
            List<LockGrant> out = new ArrayList<>();
            for (LockHandle h : acquired.handles()) {
                out.add(LockGrant.of(h.resource().getFileName().toString(), h));
            }
            return out;
        }
        throw refused((LockResult.Failed) result);
    }

    private ProblemException refused(LockResult.Failed failed) {
        if (failed.reason() == LockResult.Reason.ERROR) {
            return LockProblems.unavailable();
        }
        Map<String, Object> extras = new LinkedHashMap<>();
        failed.holder().ifPresent(h -> {
            // top-level pid/hostname/since as in every other busy-lock answer; the full holder beside them
            extras.put("pid", h.pid());
            extras.put("hostname", h.hostname());
            extras.put("since", h.since().truncatedTo(ChronoUnit.MILLIS).toString());
            extras.put("holder", LockStatus.Holder.of(h));
        });
        String detail = failed.reason() == LockResult.Reason.TIMEOUT
                ? "the lock was still held when the timeout passed" : "the lock is held by someone else";
        return new ProblemException(409, failed.reason().wireName(),
                detail + failed.holder().map(h -> " (" + h.describe() + ")").orElse(""), extras, Map.of());
    }

    private static Throwable ioFault(Throwable f) {
        return LockProblems.fault(f, "files");
    }
}
