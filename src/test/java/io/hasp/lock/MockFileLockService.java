package io.hasp.lock;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

import io.hasp.TestConfig;

/**
 * In-memory {@link FileLockService} for tests (plan TASK-012): a real lock inside one JVM, plus controls that make a
 * resource fail or look busy on demand. It passes the same contract test as the lock-file engine
 * ({@code MockFileLockServiceContractTest}).
 *
 * <p>Semantics:
 * <ul>
 *   <li>Exclusive excludes everyone; shared holders coexist. Waiters queue per resource in arrival order (a shared
 *       request waits behind a queued exclusive one, so writers do not starve) and are granted the moment a release
 *       makes room, on the Mutiny worker pool.</li>
 *   <li>Waiting holds no thread: a waiter is a queue entry plus two timers (the deadline and the next retry).</li>
 *   <li>Attempts: the first attempt at subscription, then one retry after {@code retryInterval}, doubling up to
 *       {@link #MAX_RETRY_WAIT}. When the first attempt and {@code maxRetries} retries all found the resource busy
 *       the result is {@link LockResult.Reason#LOCKED}; when the deadline passes first, it is
 *       {@link LockResult.Reason#TIMEOUT} naming the holder in the way. A zero timeout makes exactly one attempt
 *       and answers {@code LOCKED} when busy.</li>
 *   <li>Fencing tokens strictly increase per resource for the life of the instance, across {@link #reset()}.</li>
 *   <li>A lease ({@link LockOptions#lease()}) ends at its {@code expiresAt} unless renewed; the mock notices the end
 *       at the next operation on that resource. {@link LockHandle#renew} on a handle without a lease extends
 *       nothing: while the handle is held it completes with the same handle and no {@code expiresAt} (the lock
 *       lasts until released); once released or expired it fails with {@link LockLostException}.</li>
 *   <li>Each subscription to {@link #acquire} is one acquisition. If a subscriber cancels while its grant is in
 *       flight, the grant is released; a handle that passed the first operator after {@code acquire} belongs to
 *       the subscriber. {@link #withLock} and {@link #acquireAll} track their own grants and never leak one.</li>
 * </ul>
 *
 * <p>Controls for tests: {@link #setLockBehavior} (per resource, checked when an acquisition starts),
 * {@link #simulateContention} / {@link #clearContention} (a foreign exclusive holder, {@link #FOREIGN_PID} on
 * {@link #FOREIGN_HOSTNAME}, without fencing token like a lock file written by a plan-only tool), {@link #reset()},
 * and counters: {@link #acquireCount}, {@link #grantCount}, {@link #releaseCount}, {@link #waitingCount},
 * {@link #currentHolders}.
 */
public final class MockFileLockService implements FileLockService {

    /** What an acquisition of a resource does when it starts. */
    public enum Behavior {
        /** Really lock (the default). */
        SUCCESS,
        /** Fail at once with {@link LockResult.Reason#TIMEOUT}, naming a holder (the real one, or a foreign one). */
        TIMEOUT,
        /** Fail at once with {@link LockResult.Reason#ERROR} and no holder, like an I/O fault. */
        ERROR
    }

    /** Longest wait between two retries of one waiter. */
    public static final Duration MAX_RETRY_WAIT = Duration.ofSeconds(2);

    /** Process id of the simulated foreign holder. */
    public static final long FOREIGN_PID = 424_242L;

    /** Host name of the simulated foreign holder. */
    public static final String FOREIGN_HOSTNAME = "contender.invalid";

    private static final long PID = ProcessHandle.current().pid();
    private static final String HOSTNAME = localHostName();

    private final Object monitor = new Object();
    private final ScheduledExecutorService pool;
    /** Guarded by {@link #monitor}. */
    private final Map<Path, Resource> resources = new HashMap<>();
    /** Guarded by {@link #monitor}; survives {@link #reset()} so that tokens never go back. */
    private final Map<Path, Long> lastTokens = new HashMap<>();

    public MockFileLockService() {
        this(Infrastructure.getDefaultWorkerPool());
    }

    /** @param pool runs the timers and the grants handed to waiters */
    public MockFileLockService(ScheduledExecutorService pool) {
        this.pool = Objects.requireNonNull(pool, "pool");
    }

    // ---------------------------------------------------------------------------------------------------------
    // FileLockService
    // ---------------------------------------------------------------------------------------------------------

    @Override
    public LockOptions defaultOptions() {
        return TestConfig.lockOptions();
    }

    @Override
    public Uni<LockResult> acquire(Path resource, LockOptions options) {
        Path key = key(resource);
        Objects.requireNonNull(options, "options");
        return Uni.createFrom().deferred(() -> {
            AtomicBoolean claimed = new AtomicBoolean();
            return Uni.createFrom().<LockResult>emitter(em -> {
                Waiter waiter = start(key, options, Instant.now().plus(options.timeout()), result -> {
                    em.complete(result);
                    if (!claimed.get()) {
                        releaseGranted(result);
                    }
                });
                em.onTermination(() -> cancel(waiter));
            }).onItem().invoke(() -> claimed.set(true));
        });
    }

    @Override
    public Uni<LockResult> acquireAll(Collection<Path> resources, LockOptions options) {
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(options, "options");
        Set<Path> sorted = new TreeSet<>();
        resources.forEach(r -> sorted.add(key(r)));
        if (sorted.isEmpty()) {
            return Uni.createFrom().failure(new IllegalArgumentException("acquireAll needs at least one resource"));
        }
        return Uni.createFrom().emitter(em -> {
            AllRun run = new AllRun(List.copyOf(sorted), options, em);
            em.onTermination(run::terminated);
            run.next();
        });
    }

    @Override
    public <T> Uni<T> withLock(Path resource, Supplier<Uni<T>> work, LockOptions options) {
        Path key = key(resource);
        Objects.requireNonNull(work, "work");
        Objects.requireNonNull(options, "options");
        return Uni.createFrom().emitter(em -> {
            WithLockRun<T> run = new WithLockRun<>(work, em);
            em.onTermination(run::terminated);
            run.begin(key, options);
        });
    }

    @Override
    public Uni<Boolean> isLocked(Path resource) {
        Path key = key(resource);
        return Uni.createFrom().item(() -> {
            synchronized (monitor) {
                Resource res = resources.get(key);
                if (res == null) {
                    return false;
                }
                res.purgeExpired(Instant.now());
                return res.contention.isPresent() || !res.holders.isEmpty();
            }
        });
    }

    // ---------------------------------------------------------------------------------------------------------
    // Controls and counters
    // ---------------------------------------------------------------------------------------------------------

    /** Makes every acquisition of {@code resource} that starts from now on behave as {@code behavior}. */
    public void setLockBehavior(Path resource, Behavior behavior) {
        Objects.requireNonNull(behavior, "behavior");
        synchronized (monitor) {
            resourceLocked(key(resource)).behavior = behavior;
        }
    }

    /**
     * Makes {@code resource} look held by a foreign exclusive holder until {@link #clearContention}: acquisitions
     * wait and then fail naming that holder, and {@link #isLocked} is true. Holders already granted keep their grant.
     *
     * @return the simulated holder, as failures and {@link #currentHolders} report it
     */
    public LockHolder simulateContention(Path resource) {
        LockHolder foreign = new LockHolder(LockType.EXCLUSIVE, FOREIGN_PID, FOREIGN_HOSTNAME, Instant.now(),
                OptionalLong.empty(), Optional.empty());
        synchronized (monitor) {
            resourceLocked(key(resource)).contention = Optional.of(foreign);
        }
        return foreign;
    }

    /** Removes the simulated foreign holder; waiters are granted at once when nothing else is in the way. */
    public void clearContention(Path resource) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            Resource res = resources.get(key(resource));
            if (res != null) {
                res.contention = Optional.empty();
                drain(res, deliveries);
            }
        }
        dispatch(deliveries);
    }

    /**
     * Forgets every grant, behaviour, contention and counter. Handles granted before stop being held (their release
     * does nothing); waiters fail with {@link LockResult.Reason#ERROR}. Fencing tokens keep increasing.
     */
    public void reset() {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            for (Resource res : resources.values()) {
                res.holders.forEach(h -> h.held = false);
                for (Waiter w : res.waiters) {
                    w.finish();
                    LockResult failed = LockResult.failed(LockResult.Reason.ERROR, "lock service was reset",
                            Optional.empty());
                    deliveries.add(() -> w.sink.accept(failed));
                }
            }
            resources.clear();
        }
        dispatch(deliveries);
    }

    /** Acquisitions of {@code resource} started since the last reset (by acquire, acquireAll and withLock). */
    public int acquireCount(Path resource) {
        return counter(resource, res -> res.acquireCount);
    }

    /** Grants of {@code resource} since the last reset. */
    public int grantCount(Path resource) {
        return counter(resource, res -> res.grantCount);
    }

    /** Releases of {@code resource} that gave a lock back (repeated releases of one handle count once). */
    public int releaseCount(Path resource) {
        return counter(resource, res -> res.releaseCount);
    }

    /** Acquisitions of {@code resource} waiting now. */
    public int waitingCount(Path resource) {
        return counter(resource, res -> res.waiters.size());
    }

    /** Who holds {@code resource} now: the granted holders in grant order, then the simulated foreign one. */
    public List<LockHolder> currentHolders(Path resource) {
        synchronized (monitor) {
            Resource res = resources.get(key(resource));
            if (res == null) {
                return List.of();
            }
            res.purgeExpired(Instant.now());
            List<LockHolder> holders = new ArrayList<>();
            res.holders.forEach(h -> holders.add(h.toHolder()));
            res.contention.ifPresent(holders::add);
            return List.copyOf(holders);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // The lock
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Starts one acquisition. {@code sink} receives exactly one result: synchronously when it is known at once,
     * later on the pool otherwise (never while {@link #monitor} is held).
     */
    private Waiter start(Path key, LockOptions options, Instant deadline, Consumer<LockResult> sink) {
        Waiter waiter;
        LockResult immediate = null;
        synchronized (monitor) {
            Resource res = resourceLocked(key);
            res.acquireCount++;
            waiter = new Waiter(res, options, sink);
            Instant now = Instant.now();
            res.purgeExpired(now);
            if (res.behavior == Behavior.TIMEOUT) {
                immediate = LockResult.failed(LockResult.Reason.TIMEOUT, "simulated timeout on " + key.getFileName(),
                        Optional.of(res.holderInTheWay().orElseGet(() -> foreignHolder(now))));
            } else if (res.behavior == Behavior.ERROR) {
                immediate = LockResult.failed(LockResult.Reason.ERROR, "simulated I/O fault on " + key.getFileName(),
                        Optional.empty());
            } else if (res.waiters.isEmpty() && res.admits(options.type())) {
                immediate = LockResult.acquired(grant(res, options, now));
            } else if (options.timeout().isZero() || options.maxRetries() == 0) {
                immediate = res.busy(LockResult.Reason.LOCKED, "no retries left");
            } else if (!now.isBefore(deadline)) {
                immediate = res.busy(LockResult.Reason.TIMEOUT, "deadline passed");
            } else {
                res.waiters.addLast(waiter);
                waiter.deadlineTimer = pool.schedule(() -> onDeadline(waiter),
                        Duration.between(now, deadline).toNanos(), TimeUnit.NANOSECONDS);
                scheduleRetry(waiter);
            }
            if (immediate != null) {
                waiter.finish();
            }
        }
        if (immediate != null) {
            sink.accept(immediate);
        }
        return waiter;
    }

    private void scheduleRetry(Waiter w) {
        long initial = w.options.retryInterval().toMillis();
        long wait = Math.min(MAX_RETRY_WAIT.toMillis(), initial << Math.min(w.retries, 20));
        w.retryTimer = pool.schedule(() -> onRetry(w), Math.max(1, wait), TimeUnit.MILLISECONDS);
    }

    private void onRetry(Waiter w) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            if (w.state != State.WAITING) {
                return;
            }
            drain(w.res, deliveries);
            if (w.state == State.WAITING) {
                w.retries++;
                if (w.retries >= w.options.maxRetries()) {
                    LockResult failed = w.res.busy(LockResult.Reason.LOCKED,
                            "still busy after " + w.options.maxRetries() + " retries");
                    giveUp(w, failed, deliveries);
                } else {
                    scheduleRetry(w);
                }
            }
        }
        dispatch(deliveries);
    }

    private void onDeadline(Waiter w) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            if (w.state != State.WAITING) {
                return;
            }
            drain(w.res, deliveries);
            if (w.state == State.WAITING) {
                giveUp(w, w.res.busy(LockResult.Reason.TIMEOUT,
                        "not granted within " + w.options.timeout().toMillis() + " ms"), deliveries);
            }
        }
        dispatch(deliveries);
    }

    /** Called with the monitor held: removes a waiter that gave up, and lets those behind it move up. */
    private void giveUp(Waiter w, LockResult result, List<Runnable> deliveries) {
        w.res.waiters.remove(w);
        w.finish();
        deliveries.add(() -> w.sink.accept(result));
        drain(w.res, deliveries);
    }

    /** A waiter whose subscriber went away; nothing to do when it has already been answered. */
    private void cancel(Waiter w) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            if (w.state != State.WAITING) {
                return;
            }
            w.res.waiters.remove(w);
            w.finish();
            drain(w.res, deliveries);
        }
        dispatch(deliveries);
    }

    /** Called with the monitor held: grants the head of the queue for as long as it is admitted. */
    private void drain(Resource res, List<Runnable> deliveries) {
        Instant now = Instant.now();
        res.purgeExpired(now);
        while (!res.waiters.isEmpty() && res.admits(res.waiters.peekFirst().options.type())) {
            Waiter head = res.waiters.pollFirst();
            head.finish();
            LockResult granted = LockResult.acquired(grant(res, head.options, now));
            deliveries.add(() -> head.sink.accept(granted));
        }
    }

    /** Called with the monitor held. */
    private MockHandle grant(Resource res, LockOptions options, Instant now) {
        long token = lastTokens.merge(res.key, 1L, Long::sum);
        MockHandle handle = new MockHandle(res, token, options.type(), now, options.lease().map(now::plus),
                options.lease().isPresent());
        res.holders.add(handle);
        res.grantCount++;
        return handle;
    }

    private void release(MockHandle handle) {
        List<Runnable> deliveries = new ArrayList<>();
        synchronized (monitor) {
            if (!handle.held) {
                return;
            }
            handle.held = false;
            if (handle.res.holders.remove(handle)) {
                handle.res.releaseCount++;
                drain(handle.res, deliveries);
            }
        }
        dispatch(deliveries);
    }

    private void releaseGranted(LockResult result) {
        if (result instanceof LockResult.Acquired acquired) {
            acquired.handles().forEach(h -> release((MockHandle) h));
        }
    }

    /** Hands results to waiters on the pool, so that a release never runs the next holder's work on its stack. */
    private void dispatch(List<Runnable> deliveries) {
        deliveries.forEach(pool::execute);
    }

    private Resource resourceLocked(Path key) {
        return resources.computeIfAbsent(key, Resource::new);
    }

    private int counter(Path resource, ToIntFunction<Resource> read) {
        synchronized (monitor) {
            Resource res = resources.get(key(resource));
            return res == null ? 0 : read.applyAsInt(res);
        }
    }

    private static LockHolder foreignHolder(Instant since) {
        return new LockHolder(LockType.EXCLUSIVE, FOREIGN_PID, FOREIGN_HOSTNAME, since, OptionalLong.empty(),
                Optional.empty());
    }

    private static Path key(Path resource) {
        return Objects.requireNonNull(resource, "resource").toAbsolutePath().normalize();
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // State
    // ---------------------------------------------------------------------------------------------------------

    private enum State { WAITING, DONE }

    /** One resource; every field is guarded by {@link #monitor}. */
    private static final class Resource {
        final Path key;
        final Set<MockHandle> holders = new LinkedHashSet<>();
        final Deque<Waiter> waiters = new ArrayDeque<>();
        Behavior behavior = Behavior.SUCCESS;
        Optional<LockHolder> contention = Optional.empty();
        int acquireCount;
        int grantCount;
        int releaseCount;

        Resource(Path key) {
            this.key = key;
        }

        boolean admits(LockType type) {
            if (contention.isPresent()) {
                return false;
            }
            return holders.isEmpty()
                    || type == LockType.SHARED && holders.stream().allMatch(h -> h.type == LockType.SHARED);
        }

        void purgeExpired(Instant now) {
            holders.removeIf(h -> {
                boolean expired = h.expiresAt.map(end -> !now.isBefore(end)).orElse(false);
                if (expired) {
                    h.held = false;
                }
                return expired;
            });
        }

        Optional<LockHolder> holderInTheWay() {
            return contention.or(() -> holders.stream().findFirst().map(MockHandle::toHolder));
        }

        LockResult busy(LockResult.Reason reason, String why) {
            Optional<LockHolder> holder = holderInTheWay();
            String message = key.getFileName() + " is busy (" + why + ")"
                    + holder.map(h -> ", held by " + h.describe()).orElse("");
            return LockResult.failed(reason, message, holder);
        }
    }

    /** One pending acquisition; fields other than the finals are guarded by {@link #monitor}. */
    private static final class Waiter {
        final Resource res;
        final LockOptions options;
        final Consumer<LockResult> sink;
        State state = State.WAITING;
        int retries;
        ScheduledFuture<?> deadlineTimer;
        ScheduledFuture<?> retryTimer;

        Waiter(Resource res, LockOptions options, Consumer<LockResult> sink) {
            this.res = res;
            this.options = options;
            this.sink = sink;
        }

        void finish() {
            state = State.DONE;
            if (deadlineTimer != null) {
                deadlineTimer.cancel(false);
            }
            if (retryTimer != null) {
                retryTimer.cancel(false);
            }
        }
    }

    private final class MockHandle implements LockHandle {
        final Resource res;
        final long token;
        final LockType type;
        final Instant acquiredAt;
        final boolean lease;
        final String lockId = UUID.randomUUID().toString();
        volatile Optional<Instant> expiresAt;
        /** Written with {@link #monitor} held. */
        volatile boolean held = true;

        MockHandle(Resource res, long token, LockType type, Instant acquiredAt, Optional<Instant> expiresAt,
                   boolean lease) {
            this.res = res;
            this.token = token;
            this.type = type;
            this.acquiredAt = acquiredAt;
            this.expiresAt = expiresAt;
            this.lease = lease;
        }

        @Override
        public Uni<Void> release() {
            return Uni.createFrom().item(() -> {
                MockFileLockService.this.release(this);
                return null;
            });
        }

        @Override
        public boolean isHeld() {
            return held && expiresAt.map(end -> Instant.now().isBefore(end)).orElse(true);
        }

        @Override
        public Path lockPath() {
            Path name = res.key.getFileName();
            return res.key.resolveSibling((name == null ? "" : name.toString()) + ".lock");
        }

        @Override
        public Path resource() {
            return res.key;
        }

        @Override
        public String lockId() {
            return lockId;
        }

        @Override
        public long fencingToken() {
            return token;
        }

        @Override
        public LockType type() {
            return type;
        }

        @Override
        public Instant acquiredAt() {
            return acquiredAt;
        }

        @Override
        public Optional<Instant> expiresAt() {
            return expiresAt;
        }

        @Override
        public Uni<LockHandle> renew(Duration newLease) {
            return Uni.createFrom().item(() -> {
                if (newLease == null || newLease.isNegative() || newLease.isZero()) {
                    throw new IllegalArgumentException("lease must be positive");
                }
                synchronized (monitor) {
                    Instant now = Instant.now();
                    res.purgeExpired(now);
                    if (!held) {
                        throw new LockLostException(res.key.getFileName() + " is no longer held by " + lockId);
                    }
                    if (lease) {
                        expiresAt = Optional.of(now.plus(newLease));
                    }
                    return this;
                }
            });
        }

        LockHolder toHolder() {
            return new LockHolder(type, PID, HOSTNAME, acquiredAt, OptionalLong.of(token), expiresAt);
        }
    }

    /** {@link #acquireAll}: one resource after the other in sorted order, one deadline, all or none. */
    private final class AllRun {
        private final List<Path> keys;
        private final LockOptions options;
        private final UniEmitter<? super LockResult> em;
        private final Instant deadline;
        private final List<LockHandle> taken = new ArrayList<>();
        private final List<Waiter> started = new ArrayList<>();
        private boolean done;

        AllRun(List<Path> keys, LockOptions options, UniEmitter<? super LockResult> em) {
            this.keys = keys;
            this.options = options;
            this.em = em;
            this.deadline = Instant.now().plus(options.timeout());
        }

        void next() {
            Path key;
            synchronized (this) {
                if (done) {
                    return;
                }
                key = keys.get(taken.size());
            }
            Waiter w = start(key, options, deadline, this::onResult);
            boolean cancelNow;
            synchronized (this) {
                started.add(w);
                cancelNow = done;
            }
            if (cancelNow) {
                cancel(w);
            }
        }

        private void onResult(LockResult result) {
            LockResult answer = null;
            boolean more = false;
            synchronized (this) {
                if (done) {
                    releaseGranted(result);
                    return;
                }
                if (result instanceof LockResult.Acquired acquired) {
                    taken.add(acquired.handle());
                    if (taken.size() == keys.size()) {
                        done = true;
                        answer = new LockResult.Acquired(taken);
                    } else {
                        more = true;
                    }
                } else {
                    done = true;
                    releaseTaken();
                    answer = result;
                }
            }
            if (more) {
                next();
            } else {
                em.complete(answer);
            }
        }

        void terminated() {
            List<Waiter> waiters;
            synchronized (this) {
                if (done) {
                    return;
                }
                done = true;
                waiters = List.copyOf(started);
                releaseTaken();
            }
            waiters.forEach(MockFileLockService.this::cancel);
        }

        /** Called holding this run's lock. */
        private void releaseTaken() {
            for (int i = taken.size() - 1; i >= 0; i--) {
                release((MockHandle) taken.get(i));
            }
        }
    }

    /**
     * {@link #withLock}: acquire, run the work, release before answering. A cancellation while waiting withdraws the
     * waiter; once the work started, it runs to its end under the lock and only then is the lock released.
     */
    private final class WithLockRun<T> {
        private final Supplier<Uni<T>> work;
        private final UniEmitter<? super T> em;
        private Waiter waiter;
        private MockHandle handle;
        private Cancellable running;
        private boolean cancelled;

        WithLockRun(Supplier<Uni<T>> work, UniEmitter<? super T> em) {
            this.work = work;
            this.em = em;
        }

        void begin(Path key, LockOptions options) {
            Waiter w = start(key, options, Instant.now().plus(options.timeout()), this::onResult);
            boolean cancelNow;
            synchronized (this) {
                waiter = w;
                cancelNow = cancelled;
            }
            if (cancelNow) {
                cancel(w);
            }
        }

        private void onResult(LockResult result) {
            if (result instanceof LockResult.Failed failed) {
                em.fail(new LockException(failed));
                return;
            }
            MockHandle granted = (MockHandle) ((LockResult.Acquired) result).handle();
            synchronized (this) {
                if (cancelled) {
                    release(granted);
                    return;
                }
                handle = granted;
            }
            // once started, the work runs to its end under the lock, whatever happens to the caller
            Cancellable c = Uni.createFrom().deferred(() -> work.get()).subscribe().with(
                    item -> {
                        release(granted);
                        em.complete(item);
                    },
                    failure -> {
                        release(granted);
                        em.fail(failure);
                    });
            synchronized (this) {
                running = c;
            }
        }

        void terminated() {
            Waiter w;
            MockHandle h;
            synchronized (this) {
                if (cancelled) {
                    return;
                }
                cancelled = true;
                if (running != null) {
                    return;
                }
                w = waiter;
                h = handle;
            }
            if (h != null) {
                release(h);
            }
            if (w != null) {
                cancel(w);
            }
        }
    }
}
