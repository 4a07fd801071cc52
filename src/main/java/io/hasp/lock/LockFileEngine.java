package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The lock-file implementation of {@link FileLockService}: a thin front over the parts below.
 *
 * <p>The lock of resource {@code F} is the file {@code F.lock}, created with {@code O_CREAT|O_EXCL}, so tools that
 * follow the plan's protocol exclude us and we exclude them. An acquisition:
 * <ol>
 *   <li>joins this JVM's queue for {@code F} ({@link LocalLock}); only its first waiter goes further, the others wait
 *       to be woken;</li>
 *   <li>takes a lock this process already holds from its previous holder directly (hand-over in memory), while no
 *       other process waits ({@link LocalLock#release});</li>
 *   <li>otherwise, when processes wait already, draws a ticket and waits, blocked in the kernel on a worker thread of
 *       its own, for the process before it to pass the turn ({@link Turn}, {@link FenceFile}): first come, first
 *       served between processes, and woken the instant the turn comes;</li>
 *   <li>takes the resource's guard ({@link FenceFile#guard()}), reads {@code F.lock}, judges its holders
 *       ({@link StalenessJudge}) and decides ({@link LockDecision}): create, break a stale lock and create, take a
 *       parked lock over, join shared holders, or busy; the file work is {@link LockFiles}';</li>
 *   <li>when busy, pauses ({@link WaitPolicy}) until a notification that {@code F.lock} changed
 *       ({@link Doorbell}), a release in this JVM, its lease ending, or a capped backoff timer; then tries again,
 *       until the deadline ({@code timeout}) or {@code maxRetries} busy attempts ({@code locked}).</li>
 * </ol>
 * No thread is held while waiting, except the one turn thread per contended resource. Locks of this process are
 * kept alive by heartbeats ({@link LocalLock#beat}); leases by renewals, judged by their end, and any process may
 * renew or release them. {@link StaleSweep} removes what dead holders left.
 */
public final class LockFileEngine implements FileLockService, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LockFileEngine.class);
    /** Engines of this JVM by owner id: a holder entry of this process is live only while its engine holds it. */
    private static final Map<String, LockFileEngine> ENGINES = new ConcurrentHashMap<>();

    static {
        // Outside Quarkus, SmallRye context propagation sets up its provider lazily and not thread-safely: the first
        // Mutiny calls made on several threads at once can fail with "ContextManagerProvider already set". Class
        // initialisation runs once, on one thread, so the first decoration happens here.
        Uni.createFrom().deferred(() -> Uni.createFrom().voidItem()).await().indefinitely();
    }

    private final LockEngineSettings settings;
    /** Runs blocking file work on the caller's thread when it may block, else on the worker pool. */
    private final Executor callerOrPool;
    private final LockEvents events;
    private final String owner = LockPaths.randomHex(16);
    private final StalenessJudge judge;
    private final WaitPolicy waits;
    private final LocalLocks locals = new LocalLocks(this);
    private final Doorbell doorbell;
    private final ScheduledExecutorService heartbeat;
    private final StaleSweep sweeper;
    private final LeaseOps leases;
    /** Attempts that went to the lock file (took the guard and read or created it): only the turn's head does. */
    private final java.util.concurrent.atomic.LongAdder fileAttempts = new java.util.concurrent.atomic.LongAdder();

    public LockFileEngine(LockEngineSettings settings) {
        this(settings, LockEvents.NONE);
    }

    public LockFileEngine(LockEngineSettings settings, LockEvents events) {
        this.settings = settings;
        this.callerOrPool = r -> {
            if (Infrastructure.canCallerThreadBeBlocked()) {
                r.run();
            } else {
                settings.blocking().execute(r);
            }
        };
        this.events = events;
        this.judge = new StalenessJudge(settings.staleAfter(), settings.clock(), settings.nanoTime(),
                (holderOwner, lockKey) -> {
                    LockFileEngine e = ENGINES.get(holderOwner);
                    return e != null && e.locals.holdsFile(Path.of(lockKey));
                });
        this.waits = new WaitPolicy(settings.retryCap(), settings.clock(), settings.nanoTime());
        this.doorbell = new Doorbell(locals::rang);
        this.sweeper = new StaleSweep(this);
        this.leases = new LeaseOps(this);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hasp-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long beat = Math.max(10, settings.staleAfter().toMillis() / 5);
        heartbeat.scheduleAtFixedRate(locals::beatAll, beat, beat, TimeUnit.MILLISECONDS);
        ENGINES.put(owner, this);
    }

    public LockEngineSettings settings() {
        return settings;
    }

    /** Owner id of this engine's holder entries (locks of this process, as opposed to leases). */
    String owner() {
        return owner;
    }

    /** Attempts that touched the lock file since this engine started. */
    long fileAttempts() {
        return fileAttempts.sum();
    }

    void countFileAttempt() {
        fileAttempts.increment();
    }

    /** Grants of this process held through this engine (leases excluded); for tests of leaks. */
    int localGrants() {
        return locals.grants();
    }

    /** Acquisitions queued in this engine now; for tests that must know a waiter is waiting. */
    int localWaiters() {
        return locals.waiting();
    }

    // ------------------------------------------------------------------------------------------------ public API

    @Override
    public LockOptions defaultOptions() {
        return settings.defaults();
    }

    @Override
    public Uni<LockResult> acquire(Path resource, LockOptions options) {
        Path res = LockPaths.canonical(resource);
        return Uni.createFrom().deferred(() -> {
            // a lease's id is a capability (whoever knows it may release it): secure random; a local grant's is not
            String id = options.lease().isPresent() ? LockPaths.randomHex(16) : LockPaths.localId();
            Waiter w = new Waiter(res, options, id, settings.nanoTime().getAsLong());
            // the first attempt joins the queue, on the worker pool: a new resource's fence file is opened then
            Supplier<Grant> once = () -> (w.local != null ? w.local : locals.enqueue(w)).attempt(w);
            // the first attempt runs on the caller's thread when it may block (never on an event loop); a retry,
            // woken by whatever thread, always on the worker pool
            Uni<Grant> first = Uni.createFrom().item(once).runSubscriptionOn(callerOrPool);
            Uni<Grant> again = Uni.createFrom().item(once).runSubscriptionOn(settings.blocking());
            // the retry pipeline is built only when the first attempt was busy: a free lock costs no more
            return first.onFailure(WaitPolicy.Busy.class).recoverWithUni(busy -> waits.pause(w,
                            (WaitPolicy.Busy) busy).chain(() -> again.onFailure(WaitPolicy.Busy.class).retry()
                            .when(failures -> failures.onItem().transformToUniAndConcatenate(
                                    f -> waits.pause(w, (WaitPolicy.Busy) f)))))
                    .onItem().transform(g -> {
                        w.delivered = true;
                        events.acquired(g, settings.nanoTime().getAsLong() - w.startNanos);
                        return (LockResult) LockResult.acquired(g);
                    })
                    .onFailure(WaitPolicy.GiveUp.class).recoverWithItem(f -> {
                        LockResult.Failed failed = ((WaitPolicy.GiveUp) f).failed;
                        events.failed(res, options.type(), failed.reason(),
                                settings.nanoTime().getAsLong() - w.startNanos);
                        return failed;
                    })
                    .onFailure().recoverWithItem(f -> {
                        LOG.warnf("lock of %s failed: %s", res.getFileName(), f.toString());
                        events.failed(res, options.type(), LockResult.Reason.ERROR,
                                settings.nanoTime().getAsLong() - w.startNanos);
                        return LockResult.failed(LockResult.Reason.ERROR,
                                "the lock state could not be read or written", Optional.empty());
                    })
                    .onTermination().invoke((item, failure, cancelled) -> {
                        LocalLock local = w.local;
                        if (local != null) {
                            local.finish(w, cancelled);
                        }
                    });
        });
    }

    @Override
    public Uni<LockResult> acquireAll(Collection<Path> resources, LockOptions options) {
        TreeSet<Path> sorted = new TreeSet<>();
        for (Path p : resources) {
            sorted.add(LockPaths.canonical(p));
        }
        if (sorted.isEmpty()) {
            return Uni.createFrom().failure(new IllegalArgumentException("no resource to lock"));
        }
        return Uni.createFrom().deferred(() -> {
            long deadline = settings.nanoTime().getAsLong() + options.timeout().toNanos();
            return acquireInOrder(new ArrayList<>(sorted), 0, options, deadline, new ArrayList<>());
        });
    }

    private Uni<LockResult> acquireInOrder(List<Path> sorted, int index, LockOptions options, long deadline,
                                           List<LockHandle> taken) {
        if (index == sorted.size()) {
            return Uni.createFrom().item(new LockResult.Acquired(taken));
        }
        long left = Math.max(0, deadline - settings.nanoTime().getAsLong());
        LockOptions step = options.timeout().isZero() ? options : options.withTimeout(Duration.ofNanos(left));
        return acquire(sorted.get(index), step)
                .onCancellation().invoke(() -> releaseAll(List.copyOf(taken)).subscribe().with(x -> { }, f -> { }))
                .onItem().transformToUni(result -> {
                    if (result instanceof LockResult.Acquired a) {
                        taken.add(a.handle());
                        return acquireInOrder(sorted, index + 1, options, deadline, taken);
                    }
                    return releaseAll(taken).replaceWith(result);
                });
    }

    private static Uni<Void> releaseAll(List<LockHandle> handles) {
        if (handles.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> releases = new ArrayList<>();
        for (LockHandle h : handles) {
            releases.add(h.release().onFailure().recoverWithNull());
        }
        return Uni.join().all(releases).andFailFast().replaceWithVoid();
    }

    /**
     * Runs {@code work} under the lock. The work runs to its end even when the caller goes away (cancels): a
     * read-modify-write half done must not be exposed, so the lock is released only when the work has finished,
     * whatever happens to the caller.
     */
    @Override
    public <T> Uni<T> withLock(Path resource, Supplier<Uni<T>> work, LockOptions options) {
        return acquire(resource, options).onItem().transformToUni(result -> {
            if (result instanceof LockResult.Failed failed) {
                if (settings.proceedWithoutLockOnFailure()) {
                    LOG.warnf("proceeding WITHOUT the lock of %s (%s): hasp.lock.proceed-without-lock-on-failure "
                            + "is on", resource.getFileName(), failed.reason().wireName());
                    return Uni.createFrom().deferred(work::get);
                }
                return Uni.createFrom().failure(new LockException(failed));
            }
            LockHandle handle = ((LockResult.Acquired) result).handle();
            Uni<T> guarded = Uni.createFrom().deferred(work::get)
                    .onTermination().call(() -> handle.release().onFailure().recoverWithNull());
            return Uni.createFrom().<T>emitter(em -> guarded.subscribe().with(em::complete, em::fail));
        });
    }

    @Override
    public Uni<Boolean> isLocked(Path resource) {
        return holders(resource).map(h -> !h.isEmpty());
    }

    /** The live holders of {@code resource}, for status pages; never their lock ids. */
    public Uni<List<LockHolder>> holders(Path resource) {
        Path res = LockPaths.canonical(resource);
        return Uni.createFrom().item(() -> {
            try {
                return leases.liveHolders(res);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).runSubscriptionOn(settings.blocking());
    }

    /**
     * Extends grant {@code lockId} on {@code resource} to {@code lease} from now ({@code null}: the length it was
     * granted or last renewed with), from any process sharing the directory. Fails with {@link LockLostException}
     * when that grant no longer holds the lock (released, expired, taken over).
     */
    public Uni<LockHandle> renew(Path resource, String lockId, Duration lease) {
        Path res = LockPaths.canonical(resource);
        return blocking(() -> leases.renew(res, lockId, lease));
    }

    /**
     * Releases lease {@code lockId} on {@code resource}, from any process; {@code false} when it held nothing
     * (released, taken over, or its lease already ended).
     */
    public Uni<Boolean> release(Path resource, String lockId) {
        Path res = LockPaths.canonical(resource);
        return blocking(() -> leases.releaseLease(res, lockId)).invoke(released -> locals.ringLock(res));
    }

    /**
     * Ends every grant on {@code resource}, whoever holds it, from any process: the lock file is removed under the
     * guard and the next waiter of this JVM woken. For operators; {@code false} when nothing held it.
     */
    public Uni<Boolean> forceRelease(Path resource) {
        Path res = LockPaths.canonical(resource);
        return blocking(() -> leases.forceRelease(res)).invoke(released -> locals.ringLock(res));
    }

    /**
     * Removes stale locks under {@code root}, prunes stale holders of shared locks, keeps the {@code timestamp} of
     * live leases fresh, and deletes what breakers and rewriters left behind and fence files that guard nothing.
     * Never removes a live holder. Blocking; call it from the worker pool.
     */
    public SweepReport sweep(Path root) {
        return sweeper.sweep(LockPaths.canonical(root));
    }

    /** Releases every lock this engine holds and stops its threads. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        doorbell.close();
        for (LocalLock local : locals.all()) {
            local.abandon();
        }
        ENGINES.remove(owner, this);
    }

    // ------------------------------------------------------------------------------------------------ for the parts

    void maybeRetire(LocalLock local) {
        locals.maybeRetire(local);
    }

    Uni<Void> releaseGrant(Grant g, boolean park) {
        if (g.isLease()) {
            return release(g.resource, g.lockId).replaceWithVoid();
        }
        events.released(settings.nanoTime().getAsLong() - g.grantedNanos);
        LocalLock local = locals.get(g.resource);
        if (local == null) {
            g.state.set(Grant.State.RELEASED);
            return Uni.createFrom().voidItem();
        }
        return blocking(() -> {
            local.release(g, park);
            return null;
        }).replaceWithVoid();
    }

    Uni<Void> contended(Grant g) {
        LocalLock local = locals.get(g.resource);
        if (local == null) {
            return Uni.createFrom().voidItem();
        }
        watch(g.resource);
        return Uni.createFrom().<Void>emitter(local::awaitContention);
    }

    <R> R whileHeld(Grant g, Supplier<R> write) {
        LocalLock local = locals.get(g.resource);
        if (local == null) {
            throw new LockLostException("the lock is no longer held");
        }
        return local.whileHeld(g, write);
    }

    LockDecision.Evaluation evaluate(Path lockFile, LockFiles.Snapshot s) {
        if (s == null) {
            return new LockDecision.Evaluation(List.of(), List.of(), false);
        }
        if (s.content() == null) {
            return LockDecision.Evaluation.unreadable(judge.isUnreadableStale(lockFile.toString(), s.fingerprint()));
        }
        List<LockFileContent.Holder> live = new ArrayList<>();
        List<LockFileContent.Holder> stale = new ArrayList<>();
        for (LockFileContent.Holder h : s.content().effectiveHolders()) {
            (judge.isStale(lockFile.toString(), h, s.fingerprint()) ? stale : live).add(h);
        }
        return new LockDecision.Evaluation(live, stale, false);
    }

    StalenessJudge judge() {
        return judge;
    }

    Grant newGrant(Waiter w, long token, Instant now) {
        return new Grant(this, w.resource, w.lockId, w.options.type(), token, now, w.options.lease().orElse(null),
                settings.nanoTime().getAsLong());
    }

    LockHolder describeOwn(Grant g) {
        ProcessIdentity self = ProcessIdentity.current();
        return new LockHolder(g.type, self.pid(), self.hostname(), g.acquiredAt, OptionalLong.of(g.fencingToken),
                g.expiresAt());
    }

    /** The first live holder of {@code resource} as the lock file says now, for a failure message. */
    Optional<LockHolder> currentHolder(Path resource) {
        try {
            return leases.liveHolders(resource).stream().findFirst();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    void countBroken(List<LockFileContent.Holder> stale) {
        for (LockFileContent.Holder h : stale) {
            events.staleBroken(h.isLease());
        }
    }

    void handedOff() {
        events.handedOff();
    }

    LockEvents events() {
        return events;
    }

    void watch(Path resource) {
        doorbell.watch(resource.getParent());
    }

    void lostWhileHeld(Path resource) {
        LOG.warnf("lock on %s was lost while held (removed by someone else)", resource.getFileName());
    }

    void beatFailed(Path resource, Exception e) {
        LOG.debugf("heartbeat of %s failed: %s", resource.getFileName(), e.toString());
    }

    void ringLock(Path resource) {
        locals.ringLock(resource);
    }

    LocalLock local(Path resource) {
        return locals.get(resource);
    }

    private <T> Uni<T> blocking(IoWork<T> work) {
        return Uni.createFrom().item(() -> {
            try {
                return work.run();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).runSubscriptionOn(callerOrPool);
    }

    @FunctionalInterface
    interface IoWork<T> {
        T run() throws IOException;
    }
}
