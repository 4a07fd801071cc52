package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * The lock-file implementation of {@link FileLockService} (plan TASK-002, corrected as DESIGN.md says).
 *
 * <p>The lock of resource {@code F} is the file {@code F.lock}. It is created with {@code O_CREAT|O_EXCL}, so tools
 * that follow the plan's protocol exclude us and we exclude them. Every change of it by a Hasp process happens under
 * the {@link FenceGuard} of {@code F} (a kernel lock on {@code .F.fence}, held for microseconds), which is what makes
 * the decisions below race-free between Hasp processes.
 *
 * <p>An acquisition attempt (a short blocking call on the worker pool):
 * <ol>
 *   <li>If this waiter is not at the head of this JVM's queue for {@code F}, it does not touch the file: it waits
 *       to be woken (a release in this JVM wakes the next waiter at once) or for its deadline.</li>
 *   <li>Take the guard of {@code F}; if another process has it, the attempt counts as busy.</li>
 *   <li>Read {@code F.lock}. Absent: draw the next fencing token and create it with our holder.</li>
 *   <li>Present: judge each holder with the {@link StalenessJudge}. If none is live and no other writer reserved the
 *       lock, break the file (rename it aside, check that what moved is the file that was judged, delete it) and
 *       create ours. A shared request joins live shared holders unless a writer is waiting. An exclusive request
 *       that finds shared holders records itself as the waiting writer, so that no new reader joins.</li>
 *   <li>Otherwise the attempt is busy and reports the holder.</li>
 * </ol>
 * Between attempts the waiter pauses through a Mutiny retry policy: exponential backoff with jitter and a cap,
 * ended early by a wake-up, bounded by the timeout (reason {@code timeout}) and by {@code maxRetries} busy attempts
 * (reason {@code locked}). No thread is held while waiting.
 *
 * <p>A release removes this grant's holder only while the file still names it. When a waiter of this JVM is next
 * in line, the lock is handed to it directly by rewriting the file (no gap another process could fill, and no
 * polling delay), at most {@code handoffLimit} times in a row; after that the file is removed so that other
 * processes get their turn.
 *
 * <p>Process locks (no lease) are kept alive by a heartbeat, written every fifth of {@code stale-after}. Leases are
 * kept alive by renewals and judged by their end; any process sharing the directory may renew or release them.
 */
public final class LockFileEngine implements FileLockService, AutoCloseable {

    private static final Logger LOG = Logger.getLogger(LockFileEngine.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();
    /** Lock ids of grants live in this JVM, shared by every engine of the JVM: they are the process' grants. */
    private static final Set<String> LIVE_OWNERS = ConcurrentHashMap.newKeySet();
    private static final long GUARD_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

    static {
        // Outside Quarkus, SmallRye context propagation sets up its provider lazily and not thread-safely: the first
        // Mutiny calls made on several threads at once can fail with "ContextManagerProvider already set". Class
        // initialisation runs once, on one thread, so the first decoration happens here.
        Uni.createFrom().deferred(() -> Uni.createFrom().voidItem()).await().indefinitely();
    }

    private final LockEngineSettings settings;
    private final StalenessJudge judge;
    private final ConcurrentHashMap<Path, LocalQueue> queues = new ConcurrentHashMap<>();
    private final Set<Handle> heartbeating = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService heartbeat;
    private final LockEvents events;
    /** Attempts that went to the file (took the guard and read or created the lock file): only queue heads do. */
    private final java.util.concurrent.atomic.LongAdder fileAttempts = new java.util.concurrent.atomic.LongAdder();

    public LockFileEngine(LockEngineSettings settings) {
        this(settings, LockEvents.NONE);
    }

    public LockFileEngine(LockEngineSettings settings, LockEvents events) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.events = Objects.requireNonNull(events, "events");
        this.judge = new StalenessJudge(settings.staleAfter(), settings.clock(), settings.nanoTime(), LIVE_OWNERS);
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "hasp-lock-heartbeat");
            t.setDaemon(true);
            return t;
        });
        long beat = Math.max(10, settings.staleAfter().toMillis() / 5);
        heartbeat.scheduleAtFixedRate(this::beatAll, beat, beat, TimeUnit.MILLISECONDS);
    }

    /** Attempts that touched the lock file since this engine started. */
    long fileAttempts() {
        return fileAttempts.sum();
    }

    /** Grants this JVM counts as its own live ones; for tests of leaks. */
    static int liveOwnerCount() {
        return LIVE_OWNERS.size();
    }

    public LockEngineSettings settings() {
        return settings;
    }

    // ------------------------------------------------------------------------------------------------ public API

    @Override
    public Uni<LockResult> acquire(Path resource, LockOptions options) {
        Objects.requireNonNull(options, "options");
        Path res = canonical(resource);
        return Uni.createFrom().deferred(() -> {
            Waiter w = new Waiter(res, options, newLockId(), settings.nanoTime().getAsLong());
            LocalQueue queue = enqueue(w);
            return Uni.createFrom().item(() -> attempt(w, queue))
                    .runSubscriptionOn(settings.blocking())
                    .onFailure(Busy.class).retry()
                    .when(failures -> failures.onItem().transformToUniAndConcatenate(f -> pause(w, (Busy) f)))
                    .onItem().transform(h -> {
                        events.acquired(h, settings.nanoTime().getAsLong() - w.startNanos);
                        return (LockResult) LockResult.acquired(h);
                    })
                    .onFailure(GiveUp.class).recoverWithItem(f -> {
                        LockResult.Failed failed = ((GiveUp) f).failed;
                        events.failed(failed.reason(), settings.nanoTime().getAsLong() - w.startNanos);
                        return failed;
                    })
                    .onFailure().recoverWithItem(f -> {
                        LOG.warnf("lock of %s failed: %s", res.getFileName(), f.toString());
                        events.failed(LockResult.Reason.ERROR, settings.nanoTime().getAsLong() - w.startNanos);
                        return LockResult.failed(LockResult.Reason.ERROR,
                                "the lock state could not be read or written", Optional.empty());
                    })
                    .onTermination().invoke((item, failure, cancelled) -> finish(w, queue, cancelled));
        });
    }

    @Override
    public Uni<LockResult> acquireAll(Collection<Path> resources, LockOptions options) {
        TreeSet<Path> sorted = new TreeSet<>();
        for (Path p : resources) {
            sorted.add(canonical(p));
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
                .onCancellation().invoke(() -> releaseAllQuietly(taken))
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

    private static void releaseAllQuietly(List<LockHandle> handles) {
        releaseAll(List.copyOf(handles)).subscribe().with(x -> { }, f -> { });
    }

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
            return Uni.createFrom().deferred(work::get)
                    .onTermination().call(() -> handle.release().onFailure().recoverWithNull());
        });
    }

    @Override
    public Uni<Boolean> isLocked(Path resource) {
        Path res = canonical(resource);
        return Uni.createFrom().item(() -> !liveHolders(res).isEmpty()).runSubscriptionOn(settings.blocking());
    }

    /** The live holders of {@code resource}, for status pages; never their lock ids. */
    public Uni<List<LockHolder>> holders(Path resource) {
        Path res = canonical(resource);
        return Uni.createFrom().item(() -> liveHolders(res)).runSubscriptionOn(settings.blocking());
    }

    /**
     * Extends the lease of grant {@code lockId} on {@code resource} to {@code lease} from now ({@code null}: the
     * length it was granted or last renewed with), from any process sharing the directory. Fails with {@link LockLostException} when that grant no longer holds the lock
     * (released, expired, taken over).
     */
    public Uni<LockHandle> renew(Path resource, String lockId, Duration lease) {
        Path res = canonical(resource);
        return guarded(res, held -> (LockHandle) renewUnderGuard(res, lockId, lease));
    }

    /** Releases grant {@code lockId} on {@code resource} from any process; {@code false} when it held nothing. */
    public Uni<Boolean> release(Path resource, String lockId) {
        Path res = canonical(resource);
        return guarded(res, held -> releaseUnderGuard(res, lockId, held))
                .invoke(released -> wakeHead(res));
    }

    /**
     * Ends every grant on {@code resource}, whoever holds it, from any process: the lock file is removed under the
     * guard and the next waiter of this JVM woken. For operators; {@code false} when nothing held it.
     */
    public Uni<Boolean> forceRelease(Path resource) {
        Path res = canonical(resource);
        return guarded(res, held -> {
            Path lockPath = lockPath(res);
            Snapshot s = read(lockPath);
            if (s == null) {
                return false;
            }
            boolean live = s.content == null || !evaluate(lockPath, s, settings.clock().instant()).live.isEmpty();
            return breakStale(lockPath, s) && live;
        }).invoke(released -> wakeHead(res));
    }

    /**
     * Removes stale locks under {@code root}: lock files whose holders are all stale (dead processes, silent
     * remote holders, ended leases) and stale holders of shared locks. Never removes a live holder. Blocking;
     * call it from the worker pool. Lock files another process is changing are skipped until the next sweep.
     */
    public SweepReport sweep(Path root) {
        judge.forgetOldObservations();
        Path dir = canonical(root);
        if (!Files.isDirectory(dir)) {
            return SweepReport.EMPTY;
        }
        List<Path> lockFiles = new ArrayList<>();
        List<Path> asides = new ArrayList<>();
        listLockFiles(dir, 6, lockFiles, asides);
        removeOrphanedAsides(asides);
        SweepReport total = SweepReport.EMPTY;
        for (Path lockFile : lockFiles) {
            String name = lockFile.getFileName().toString();
            Path res = lockFile.resolveSibling(name.substring(0, name.length() - ".lock".length()));
            total = total.plus(sweepOne(res));
        }
        if (total.staleLocksBroken() + total.holdersPruned() > 0) {
            LOG.debugf("sweep: %s", total);
        }
        return total;
    }

    /** Releases every process lock this engine holds and stops the heartbeat. */
    @Override
    public void close() {
        heartbeat.shutdownNow();
        for (Handle h : List.copyOf(heartbeating)) {
            try {
                h.release().await().atMost(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                LOG.debugf("release at close failed: %s", e.toString());
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ acquisition

    private LockFileEngine.Handle attempt(Waiter w, LocalQueue queue) {
        synchronized (w) {
            if (w.granted != null) {
                return w.granted;
            }
        }
        if (!queue.isHead(w)) {
            throw new Busy(Busy.Kind.NOT_HEAD, queue.lastHolder);
        }
        Optional<LockHolder> plainlyHeld = null;
        if (w.retries > 0) {
            // found busy before: look first (a free lock is tried at once, under the guard, with no extra read)
            try {
                plainlyHeld = plainlyHeldAgainst(w);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        if (plainlyHeld != null) {
            fileAttempts.increment();
            queue.lastHolder = plainlyHeld;
            throw new Busy(Busy.Kind.HELD, plainlyHeld);
        }
        Outcome outcome;
        try (FenceGuard.Held guard = FenceGuard.tryAcquire(fencePath(w.resource))) {
            if (guard == null) {
                throw new Busy(Busy.Kind.GUARD, queue.lastHolder);
            }
            fileAttempts.increment();
            outcome = tryLockFile(w, guard);
            if (outcome.granted != null) {
                queue.noteGrantFromFile();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (outcome.granted == null) {
            queue.lastHolder = outcome.holder;
            throw new Busy(Busy.Kind.HELD, outcome.holder);
        }
        return deliver(w, outcome.granted);
    }

    /**
     * Looks at the lock file without the guard: when a live holder plainly excludes {@code w} (an exclusive lock, or
     * a writer waiting for shared holders to leave), there is nothing to decide and no reason to take the guard,
     * which is kept free for those who must change the file (holders' heartbeats first of all). Returns that holder
     * (empty when unknown), or {@code null} when the attempt must look under the guard.
     */
    private Optional<LockHolder> plainlyHeldAgainst(Waiter w) throws IOException {
        Path lockPath = lockPath(w.resource);
        Snapshot s = read(lockPath);
        if (s == null) {
            return null;
        }
        if (s.content == null) {
            return judge.isUnreadableStale(lockPath.toString(), s.fingerprint()) ? null : Optional.empty();
        }
        Instant now = settings.clock().instant();
        Evaluation ev = evaluate(lockPath, s, now);
        if (ev.live.isEmpty() || !ev.stale.isEmpty()) {
            return null;
        }
        LockFileContent.WriterIntent intent = s.content.writerWaiting();
        boolean foreignIntent = intent != null && intent.activeAt(now) && !w.lockId.equals(intent.owner());
        LockType fileType = s.content.effectiveType();
        Optional<LockHolder> first = Optional.of(ev.live.get(0).toLockHolder(fileType));
        if (fileType == LockType.EXCLUSIVE) {
            return first;
        }
        return w.options.type() == LockType.SHARED && foreignIntent ? first : null;
    }

    /** Hands {@code h} to waiter {@code w} unless it was cancelled meanwhile, in which case {@code h} is released. */
    private Handle deliver(Waiter w, Handle h) {
        boolean cancelled;
        synchronized (w) {
            cancelled = w.cancelled;
            if (!cancelled) {
                w.granted = h;
            }
        }
        if (cancelled) {
            h.release().subscribe().with(x -> { }, f -> { });
            throw new Busy(Busy.Kind.NOT_HEAD, Optional.empty());
        }
        return h;
    }

    private Outcome tryLockFile(Waiter w, FenceGuard.Held guard) throws IOException {
        Path lockPath = lockPath(w.resource);
        Instant now = settings.clock().instant();
        // the common case first: nobody holds it, and O_EXCL says so without a read
        Outcome fresh = createFresh(w, guard, lockPath, now);
        if (fresh.granted != null) {
            return fresh;
        }
        Snapshot s = read(lockPath);
        if (s == null) {
            return createFresh(w, guard, lockPath, now);
        }
        if (s.content == null) {
            if (judge.isUnreadableStale(lockPath.toString(), s.fingerprint())) {
                if (breakStale(lockPath, s)) {
                    return createFresh(w, guard, lockPath, now);
                }
            }
            return Outcome.busy(Optional.empty());
        }
        Evaluation ev = evaluate(lockPath, s, now);
        LockFileContent.WriterIntent intent = s.content.writerWaiting();
        boolean foreignIntent = intent != null && intent.activeAt(now) && !w.lockId.equals(intent.owner());
        boolean ownIntent = intent != null && intent.activeAt(now) && w.lockId.equals(intent.owner());
        if (ev.live.isEmpty()) {
            if (foreignIntent) {
                return Outcome.busy(Optional.empty());
            }
            if (ownIntent && !s.content.planOnly()) {
                // our reservation: shared holders drained and left the file to us
                long token = guard.nextToken(micros(now));
                Handle h = newHandle(w, token, now);
                replace(lockPath, LockFileContent.of(w.options.type(), List.of(holderOf(h)), null, now));
                return Outcome.granted(h);
            }
            if (!breakStale(lockPath, s)) {
                return Outcome.busy(Optional.empty());
            }
            countExpired(ev.stale);
            return createFresh(w, guard, lockPath, now);
        }
        LockType fileType = s.content.effectiveType();
        Optional<LockHolder> first = Optional.of(ev.live.get(0).toLockHolder(fileType));
        if (w.options.type() == LockType.SHARED && fileType == LockType.SHARED && !foreignIntent && !ownIntent) {
            long token = guard.nextToken(micros(now));
            Handle h = newHandle(w, token, now);
            List<LockFileContent.Holder> holders = new ArrayList<>(ev.live);
            holders.add(holderOf(h));
            replace(lockPath, LockFileContent.of(LockType.SHARED, holders, null, now));
            return Outcome.granted(h);
        }
        if (w.options.type() == LockType.EXCLUSIVE && fileType == LockType.SHARED && !foreignIntent
                && !w.options.timeout().isZero()) {
            // announce ourselves so that no new reader joins; refreshed by every attempt of ours
            Instant until = now.plus(settings.retryCap().multipliedBy(2)).plus(w.options.retryInterval());
            ProcessIdentity self = ProcessIdentity.current();
            LockFileContent.WriterIntent mine =
                    new LockFileContent.WriterIntent(w.lockId, self.pid(), self.hostname(), until.toString());
            replace(lockPath, LockFileContent.of(LockType.SHARED, ev.live, mine, now));
            w.announced = true;
        } else if (!ev.stale.isEmpty() && !s.content.planOnly()) {
            replace(lockPath, LockFileContent.of(fileType, ev.live, intent, now));
        }
        return Outcome.busy(first);
    }

    /** Creates the lock file for {@code w} if it does not exist; busy (holder unknown) if it does. */
    private Outcome createFresh(Waiter w, FenceGuard.Held guard, Path lockPath, Instant now) throws IOException {
        long token = guard.nextToken(micros(now));
        Handle h = newHandle(w, token, now);
        byte[] bytes = bytes(LockFileContent.of(w.options.type(), List.of(holderOf(h)), null, now));
        if (!createNew(lockPath, bytes)) {
            heartbeating.remove(h);
            h.state.set(Handle.RELEASED);
            return Outcome.busy(Optional.empty());
        }
        return Outcome.granted(h);
    }

    private Handle newHandle(Waiter w, long token, Instant now) {
        Optional<Instant> expires = w.options.lease().map(now::plus);
        Handle h = new Handle(w.resource, w.lockId, w.options.type(), token, now, expires,
                w.options.lease().orElse(null));
        if (expires.isEmpty()) {
            heartbeating.add(h);
        }
        return h;
    }

    private static LockFileContent.Holder holderOf(Handle h) {
        ProcessIdentity self = ProcessIdentity.current();
        return new LockFileContent.Holder(h.lockId, self.pid(), self.hostname(),
                self.processStart().map(Instant::toString).orElse(null), self.pidNamespace().orElse(null),
                self.bootId().orElse(null), LockFileContent.instant(h.acquiredAt),
                LockFileContent.instant(h.acquiredAt), h.fencingToken,
                h.expiresAt.map(LockFileContent::instant).orElse(null), h.lease == null ? null : h.lease.toMillis());
    }

    private Uni<Object> pause(Waiter w, Busy busy) {
        synchronized (w) {
            if (w.granted != null || w.woken) {
                w.woken = false;
                return Uni.createFrom().item(Boolean.TRUE);
            }
        }
        long now = settings.nanoTime().getAsLong();
        if (busy.kind == Busy.Kind.HELD) {
            w.retries++;
        }
        Optional<LockHolder> holder = busy.holder.isPresent() ? busy.holder : Optional.empty();
        if (w.options.timeout().isZero() || (busy.kind == Busy.Kind.HELD && w.retries > w.options.maxRetries())) {
            return Uni.createFrom().failure(new GiveUp(LockResult.failed(LockResult.Reason.LOCKED,
                    describe("lock is busy", w, holder), holder)));
        }
        long remaining = w.deadlineNanos - now;
        if (remaining <= 0) {
            return Uni.createFrom().failure(new GiveUp(LockResult.failed(LockResult.Reason.TIMEOUT,
                    describe("timed out after " + w.options.timeout().toMillis() + " ms waiting for the lock", w,
                            holder), holder)));
        }
        long delay = switch (busy.kind) {
            case HELD -> new Backoff(w.options.retryInterval(), max(settings.retryCap(), w.options.retryInterval()))
                    .delayNanos(w.retries);
            case GUARD -> GUARD_RETRY_NANOS;
            case NOT_HEAD -> settings.retryCap().toNanos();
        };
        // Mutiny refuses timers under 1 ms; a shorter wait (the last sliver before a deadline) becomes 1 ms
        delay = Math.max(Math.min(delay, remaining), TimeUnit.MILLISECONDS.toNanos(1));
        Uni<Object> timer = Uni.createFrom().item((Object) Boolean.TRUE).onItem().delayIt()
                .by(Duration.ofNanos(delay));
        Uni<Object> wake = Uni.createFrom().<Object>emitter(w::registerWake);
        return Uni.combine().any().of(timer, wake);
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String describe(String what, Waiter w, Optional<LockHolder> holder) {
        String name = w.resource.getFileName() == null ? "resource" : w.resource.getFileName().toString();
        return what + " on " + name + holder.map(h -> ": held by " + h.describe()).orElse("");
    }

    private LocalQueue enqueue(Waiter w) {
        LIVE_OWNERS.add(w.lockId);
        while (true) {
            LocalQueue q = queues.computeIfAbsent(w.resource, r -> new LocalQueue());
            synchronized (q) {
                if (!q.retired) {
                    q.waiters.addLast(w);
                    return q;
                }
            }
        }
    }

    private void finish(Waiter w, LocalQueue q, boolean cancelled) {
        Handle toRelease = null;
        synchronized (w) {
            if (cancelled) {
                w.cancelled = true;
                toRelease = w.granted;
            }
        }
        if (toRelease != null) {
            toRelease.release().subscribe().with(x -> { }, f -> { });
        } else if (w.granted == null || w.granted.lease != null) {
            // leases are judged by their end, never by LIVE_OWNERS; keeping their ids leaked one per HTTP grant
            LIVE_OWNERS.remove(w.lockId);
            if (w.announced) {
                withdrawIntent(w.resource, w.lockId).subscribe().with(x -> { }, f -> { });
            }
        }
        Waiter next;
        synchronized (q) {
            boolean wasHead = q.waiters.peekFirst() == w;
            q.waiters.remove(w);
            next = wasHead ? q.waiters.peekFirst() : null;
            if (q.waiters.isEmpty()) {
                q.retired = true;
                queues.remove(w.resource, q);
            }
        }
        if (next != null) {
            next.wake();
        }
    }

    private void wakeHead(Path resource) {
        LocalQueue q = queues.get(resource);
        if (q != null) {
            Waiter head;
            synchronized (q) {
                head = q.waiters.peekFirst();
            }
            if (head != null) {
                head.wake();
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ release, renew

    private boolean releaseUnderGuard(Path res, String lockId, FenceGuard.Held guard) throws IOException {
        Path lockPath = lockPath(res);
        Instant now = settings.clock().instant();
        Snapshot s = read(lockPath);
        if (s == null || s.content == null || s.content.planOnly()) {
            return false;
        }
        List<LockFileContent.Holder> holders = s.content.effectiveHolders();
        LockFileContent.Holder mine = holders.stream().filter(h -> lockId.equals(h.owner())).findFirst().orElse(null);
        if (mine == null) {
            return false;
        }
        Evaluation ev = evaluate(lockPath, s, now);
        // A grant judged stale (a lease past its end that no sweep has removed yet) is no longer held: it is removed
        // with the other stale holders below, but the answer is false (API.md: 404), as after a sweep.
        boolean held = ev.live.contains(mine);
        if (!held) {
            countExpired(List.of(mine));
        } else if (mine.isLease()) {
            // a lease may be released by lock id from any process, so its hold time is reported here, not by a Handle
            Instant acquired = LockFileContent.parse(mine.acquiredAt()).orElse(now);
            events.released(Duration.between(acquired, now).toNanos());
        }
        List<LockFileContent.Holder> remaining = new ArrayList<>(ev.live);
        remaining.remove(mine);
        LockFileContent.WriterIntent intent = s.content.writerWaiting();
        boolean intentActive = intent != null && intent.activeAt(now);
        if (!remaining.isEmpty()) {
            replace(lockPath, LockFileContent.of(s.content.effectiveType(), remaining, intentActive ? intent : null,
                    now));
            return held;
        }
        Waiter next = intentActive ? null : handoffCandidate(res);
        if (next != null) {
            // Hand-over: remove and create again, both under the guard, so no Hasp process can act in between.
            // (Not a rename over the file: ext4 flushes a file renamed over another, which costs milliseconds.)
            Files.deleteIfExists(lockPath);
            long token = guard.nextToken(micros(now));
            Handle h = newHandle(next, token, now);
            if (!createNew(lockPath, bytes(LockFileContent.of(next.options.type(), List.of(holderOf(h)), null,
                    now)))) {
                // a tool outside the guard took the gap; the waiter competes for the file as usual
                heartbeating.remove(h);
                h.state.set(Handle.RELEASED);
                next.wake();
                return held;
            }
            events.handedOff();
            boolean cancelled;
            synchronized (next) {
                cancelled = next.cancelled;
                if (!cancelled) {
                    next.granted = h;
                }
            }
            if (cancelled) {
                heartbeating.remove(h);
                h.state.set(Handle.RELEASED);
                Files.deleteIfExists(lockPath);
            }
            next.wake();
            return held;
        }
        if (intentActive) {
            replace(lockPath, LockFileContent.of(s.content.effectiveType(), List.of(), intent, now));
        } else {
            Files.deleteIfExists(lockPath);
        }
        return held;
    }

    /** Removes the waiting-writer mark of a writer that gave up, so that readers need not wait for it to lapse. */
    private Uni<Boolean> withdrawIntent(Path res, String lockId) {
        return guarded(res, guard -> {
            Path lockPath = lockPath(res);
            Snapshot s = read(lockPath);
            if (s == null || s.content == null || s.content.writerWaiting() == null
                    || !lockId.equals(s.content.writerWaiting().owner())) {
                return false;
            }
            List<LockFileContent.Holder> holders = s.content.effectiveHolders();
            if (holders.isEmpty()) {
                Files.deleteIfExists(lockPath);
            } else {
                replace(lockPath, LockFileContent.of(s.content.effectiveType(), holders, null,
                        settings.clock().instant()));
            }
            return true;
        }).invoke(done -> wakeHead(res));
    }

    /** The head waiter of this JVM for {@code res}, if the hand-over budget allows giving it the lock directly. */
    private Waiter handoffCandidate(Path res) {
        LocalQueue q = queues.get(res);
        if (q == null) {
            return null;
        }
        synchronized (q) {
            Waiter head = q.waiters.peekFirst();
            if (head == null || head.cancelled || head.granted != null || q.handoffs >= settings.handoffLimit()) {
                return null;
            }
            q.handoffs++;
            return head;
        }
    }

    private Handle renewUnderGuard(Path res, String lockId, Duration lease) throws IOException {
        Path lockPath = lockPath(res);
        Instant now = settings.clock().instant();
        Snapshot s = read(lockPath);
        if (s == null || s.content == null || s.content.planOnly()) {
            throw new LockLostException("the lock is not held by that lock id");
        }
        List<LockFileContent.Holder> holders = new ArrayList<>(s.content.effectiveHolders());
        for (int i = 0; i < holders.size(); i++) {
            LockFileContent.Holder h = holders.get(i);
            if (!lockId.equals(h.owner())) {
                continue;
            }
            if (judge.isStale(lockPath.toString(), h, s.fingerprint())) {
                throw new LockLostException("the lease has ended");
            }
            Duration length = lease != null ? lease
                    : Duration.ofMillis(h.leaseMs() != null ? h.leaseMs() : settings.staleAfter().toMillis());
            Instant expires = now.plus(length);
            LockFileContent.Holder renewed = h.isLease() ? h.withLease(expires, length.toMillis())
                    : h.withHeartbeat(now);
            holders.set(i, renewed);
            replace(lockPath, LockFileContent.of(s.content.effectiveType(), holders, s.content.writerWaiting(), now));
            LockType type = s.content.effectiveType();
            Instant acquired = LockFileContent.parse(h.acquiredAt()).orElse(now);
            Handle view = new Handle(res, lockId, type, h.fencingToken() == null ? 0 : h.fencingToken(), acquired,
                    h.isLease() ? Optional.of(expires) : Optional.empty(), h.isLease() ? length : null);
            return view;
        }
        throw new LockLostException("the lock is not held by that lock id");
    }

    private void beatAll() {
        for (Handle h : heartbeating) {
            beat(h, 0);
        }
    }

    /** Heartbeats of one beat period, at most: a beat that finds the guard busy tries again a few ms later. */
    private static final int BEAT_TRIES = 8;

    private void beat(Handle h, int attempt) {
        int state = h.state.get();
        if (state != Handle.HELD && state != Handle.RELEASING) {
            heartbeating.remove(h);
            return;
        }
        try (FenceGuard.Held guard = FenceGuard.tryAcquire(fencePath(h.resource))) {
            if (guard == null) {
                long delay = Math.max(1, settings.staleAfter().toMillis() / 5 / BEAT_TRIES);
                if (attempt + 1 < BEAT_TRIES && !heartbeat.isShutdown()) {
                    heartbeat.schedule(() -> beat(h, attempt + 1), delay, TimeUnit.MILLISECONDS);
                }
                return;
            }
            Path lockPath = lockPath(h.resource);
            Instant now = settings.clock().instant();
            Snapshot s = read(lockPath);
            List<LockFileContent.Holder> holders = s == null || s.content == null || s.content.planOnly()
                    ? List.of() : new ArrayList<>(s.content.effectiveHolders());
            int index = -1;
            for (int i = 0; i < holders.size(); i++) {
                if (h.lockId.equals(holders.get(i).owner())) {
                    index = i;
                }
            }
            if (index < 0) {
                if (h.state.get() == Handle.HELD) {
                    LOG.warnf("lock on %s was lost while held (removed by someone else)", h.resource.getFileName());
                }
                h.markLost();
                return;
            }
            holders.set(index, holders.get(index).withHeartbeat(now));
            rewriteHeartbeat(lockPath, s, LockFileContent.of(s.content.effectiveType(), holders,
                    s.content.writerWaiting(), now));
        } catch (IOException | RuntimeException e) {
            LOG.debugf("heartbeat of %s failed: %s", h.resource.getFileName(), e.toString());
        }
    }

    /**
     * Lists {@code *.lock} files, and the {@link InternalFiles#isAside asides} a breaker renames, without stat-ing
     * each entry, so files vanishing meanwhile do not matter.
     */
    private static void listLockFiles(Path dir, int depth, List<Path> out, List<Path> asides) {
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                if (name.endsWith(".lock")) {
                    out.add(p);
                } else if (InternalFiles.isAside(p)) {
                    asides.add(p);
                } else if (depth > 0 && !name.contains(".") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    subdirs.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("sweep could not list a directory: %s", e.toString());
        }
        for (Path sub : subdirs) {
            listLockFiles(sub, depth - 1, out, asides);
        }
    }

    /**
     * A breaker deletes what it renamed aside right away; one left behind means the breaker died in between. Such a
     * file holds nothing (no process looks for that name), so it goes once it is older than {@code stale-after}.
     */
    private void removeOrphanedAsides(List<Path> asides) {
        Instant horizon = settings.clock().instant().minus(settings.staleAfter());
        for (Path p : asides) {
            try {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(horizon)) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.debugf("could not remove %s: %s", p.getFileName(), e.toString());
            }
        }
    }

    /**
     * Writes a heartbeat, under the guard. Timestamps have a fixed width, so the new content is as long as the old
     * and differs in digits only: it is written over the old bytes in place. A reader without the guard sees valid
     * JSON either way, and no truncate or rename is involved: on ext4 both force a flush, which made each beat cost
     * milliseconds and let beats starve exactly when the disk was busy. Otherwise (a holder list that changed size),
     * the file is replaced atomically as usual.
     */
    private static void rewriteHeartbeat(Path lockPath, Snapshot read, LockFileContent content) throws IOException {
        byte[] bytes = bytes(content);
        if (bytes.length != read.size()) {
            replace(lockPath, content);
            return;
        }
        try (FileChannel ch = FileChannel.open(lockPath, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            long at = 0;
            while (buf.hasRemaining()) {
                at += ch.write(buf, at);
            }
        }
    }

    /** Whether a look without the guard shows nothing to sweep: no file, or only live holders and no leftovers. */
    private boolean plainlyNothingToSweep(Path lockPath) throws IOException {
        Snapshot s = read(lockPath);
        if (s == null) {
            return true;
        }
        if (s.content == null) {
            return !judge.isUnreadableStale(lockPath.toString(), s.fingerprint());
        }
        Evaluation ev = evaluate(lockPath, s, settings.clock().instant());
        return !ev.live.isEmpty() && ev.stale.isEmpty();
    }

    private SweepReport sweepOne(Path res) {
        Path lockPath = lockPath(res);
        try {
            if (plainlyNothingToSweep(lockPath)) {
                // live locks are the common case: judge them without taking the guard their holders need
                return new SweepReport(1, 0, 0, 0, 0);
            }
        } catch (IOException e) {
            return new SweepReport(1, 0, 0, 0, 1);
        }
        try (FenceGuard.Held guard = FenceGuard.tryAcquire(fencePath(res))) {
            if (guard == null) {
                return new SweepReport(1, 0, 0, 0, 1);
            }
            Instant now = settings.clock().instant();
            Snapshot s = read(lockPath);
            if (s == null) {
                return new SweepReport(1, 0, 0, 0, 0);
            }
            if (s.content == null) {
                boolean stale = judge.isUnreadableStale(lockPath.toString(), s.fingerprint())
                        && breakStale(lockPath, s);
                return new SweepReport(1, stale ? 1 : 0, 0, 0, 0);
            }
            Evaluation ev = evaluate(lockPath, s, now);
            int leases = (int) ev.stale.stream().filter(LockFileContent.Holder::isLease).count();
            LockFileContent.WriterIntent intent = s.content.writerWaiting();
            boolean intentActive = intent != null && intent.activeAt(now);
            if (ev.live.isEmpty() && !intentActive) {
                boolean broken = breakStale(lockPath, s);
                countExpired(broken ? ev.stale : List.of());
                if (broken) {
                    wakeHead(res);
                }
                return new SweepReport(1, broken ? 1 : 0, 0, broken ? leases : 0, 0);
            }
            if (!ev.stale.isEmpty() && !s.content.planOnly()) {
                replace(lockPath, LockFileContent.of(s.content.effectiveType(), ev.live, intentActive ? intent : null,
                        now));
                countExpired(ev.stale);
                wakeHead(res);
                return new SweepReport(1, 0, ev.stale.size(), leases, 0);
            }
            return new SweepReport(1, 0, 0, 0, 0);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("sweep of %s failed: %s", lockPath.getFileName(), e.toString());
            return new SweepReport(1, 0, 0, 0, 1);
        }
    }

    private void countExpired(List<LockFileContent.Holder> stale) {
        for (LockFileContent.Holder h : stale) {
            events.staleBroken(h.isLease());
        }
    }

    private <T> Uni<T> guarded(Path res, GuardedWork<T> work) {
        return Uni.createFrom().item(() -> {
            try (FenceGuard.Held guard = FenceGuard.tryAcquire(fencePath(res))) {
                if (guard == null) {
                    throw new Busy(Busy.Kind.GUARD, Optional.empty());
                }
                return work.run(guard);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).runSubscriptionOn(settings.blocking())
                .onFailure(Busy.class).retry().withBackOff(Duration.ofMillis(1), Duration.ofMillis(50))
                .withJitter(0.5).expireIn(Math.max(1000, settings.staleAfter().toMillis()));
    }

    @FunctionalInterface
    private interface GuardedWork<T> {
        T run(FenceGuard.Held guard) throws IOException;
    }

    // ------------------------------------------------------------------------------------------------ file state

    private List<LockHolder> liveHolders(Path res) {
        Path lockPath = lockPath(res);
        try {
            Snapshot s = read(lockPath);
            if (s == null) {
                return List.of();
            }
            if (s.content == null) {
                boolean stale = judge.isUnreadableStale(lockPath.toString(), s.fingerprint());
                return stale ? List.of() : List.of(new LockHolder(LockType.EXCLUSIVE, -1, "unknown",
                        s.modified, java.util.OptionalLong.empty(), Optional.empty()));
            }
            Evaluation ev = evaluate(lockPath, s, settings.clock().instant());
            List<LockHolder> out = new ArrayList<>();
            for (LockFileContent.Holder h : ev.live) {
                out.add(h.toLockHolder(s.content.effectiveType()));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Evaluation evaluate(Path lockPath, Snapshot s, Instant now) {
        List<LockFileContent.Holder> live = new ArrayList<>();
        List<LockFileContent.Holder> stale = new ArrayList<>();
        for (LockFileContent.Holder h : s.content.effectiveHolders()) {
            if (judge.isStale(lockPath.toString(), h, s.fingerprint())) {
                stale.add(h);
            } else {
                live.add(h);
            }
        }
        return new Evaluation(live, stale);
    }

    private record Evaluation(List<LockFileContent.Holder> live, List<LockFileContent.Holder> stale) {
    }

    /** A consistent read of a lock file: content and the identity of the file it came from. */
    private record Snapshot(LockFileContent content, String raw, Object fileKey, Instant modified, long size) {
        String fingerprint() {
            return fileKey + "|" + modified + "|" + size + "|" + raw;
        }
    }

    private static Snapshot read(Path lockPath) throws IOException {
        Snapshot last = null;
        for (int i = 0; i < 3; i++) {
            BasicFileAttributes before;
            byte[] bytes;
            BasicFileAttributes after;
            try {
                before = Files.readAttributes(lockPath, BasicFileAttributes.class);
                bytes = Files.readAllBytes(lockPath);
                after = Files.readAttributes(lockPath, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                return null;
            }
            String raw = new String(bytes, StandardCharsets.UTF_8);
            last = new Snapshot(parse(raw), raw, after.fileKey(), after.lastModifiedTime().toInstant(), after.size());
            if (Objects.equals(before.fileKey(), after.fileKey())
                    && before.lastModifiedTime().equals(after.lastModifiedTime()) && before.size() == after.size()
                    && after.size() == bytes.length) {
                return last;
            }
        }
        return last;
    }

    private static LockFileContent parse(String raw) {
        if (raw.isBlank()) {
            return null;
        }
        try {
            LockFileContent c = JSON.readValue(raw, LockFileContent.class);
            return c != null && c.pid() != null ? c : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static byte[] bytes(LockFileContent content) {
        try {
            return PRETTY.writeValueAsBytes(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean createNew(Path lockPath, byte[] bytes) throws IOException {
        FileChannel ch;
        try {
            ch = FileChannel.open(lockPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (NoSuchFileException e) {
            Files.createDirectories(lockPath.getParent());
            try {
                ch = FileChannel.open(lockPath, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e2) {
                return false;
            }
        }
        try (FileChannel c = ch) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                c.write(buf);
            }
        } catch (IOException e) {
            Files.deleteIfExists(lockPath);
            throw e;
        }
        return true;
    }

    /** Replaces a lock file atomically (temp file + rename), so readers see the old or the new content, whole. */
    private static void replace(Path lockPath, LockFileContent content) throws IOException {
        Path tmp = InternalFiles.tempFor(lockPath);
        try {
            Files.write(tmp, bytes(content), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, lockPath, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Breaks a lock file judged stale: renames it aside to a unique name (only one rename of a given file can
     * succeed), checks that the file moved is the one that was judged, and deletes it. If it is not (a tool outside
     * the guard replaced it meanwhile), puts it back with link(2), which fails rather than overwrite. Returns whether
     * the judged file is gone.
     */
    private static boolean breakStale(Path lockPath, Snapshot judged) throws IOException {
        Path aside = InternalFiles.asideFor(lockPath);
        try {
            Files.move(lockPath, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return true;
        }
        BasicFileAttributes moved = Files.readAttributes(aside, BasicFileAttributes.class);
        boolean same = Objects.equals(moved.fileKey(), judged.fileKey())
                && moved.lastModifiedTime().toInstant().equals(judged.modified()) && moved.size() == judged.size();
        if (!same) {
            try {
                Files.createLink(lockPath, aside);
            } catch (FileAlreadyExistsException e) {
                LOG.errorf("a lock file replaced while being broken could not be put back: %s", lockPath.getFileName());
            }
        }
        Files.deleteIfExists(aside);
        return same;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    static Path canonical(Path resource) {
        return resource.toAbsolutePath().normalize();
    }

    static Path lockPath(Path resource) {
        return resource.resolveSibling(resource.getFileName() + ".lock");
    }

    static Path fencePath(Path resource) {
        return InternalFiles.fenceFor(resource);
    }

    private static long micros(Instant now) {
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
    }

    static String newLockId() {
        return randomHex(16);
    }

    private static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    /** This JVM's waiters for one resource, in arrival order; only the head touches the lock file. */
    private static final class LocalQueue {
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        int handoffs;
        boolean retired;
        volatile Optional<LockHolder> lastHolder = Optional.empty();

        synchronized boolean isHead(Waiter w) {
            return waiters.peekFirst() == w;
        }

        synchronized void noteGrantFromFile() {
            handoffs = 0;
        }
    }

    /** One pending acquisition. Its monitor guards the grant, the cancellation flag and the wake-up. */
    private static final class Waiter {
        final Path resource;
        final LockOptions options;
        final String lockId;
        final long startNanos;
        final long deadlineNanos;
        int retries;
        /** Whether this waiter recorded itself as the writer waiting for shared holders to leave. */
        volatile boolean announced;
        Handle granted;
        boolean cancelled;
        boolean woken;
        UniEmitter<Object> wakeEmitter;

        Waiter(Path resource, LockOptions options, String lockId, long startNanos) {
            this.resource = resource;
            this.options = options;
            this.lockId = lockId;
            this.startNanos = startNanos;
            long timeout = options.timeout().toNanos();
            this.deadlineNanos = startNanos + timeout;
        }

        @SuppressWarnings("unchecked")
        synchronized void registerWake(UniEmitter<? super Object> e) {
            UniEmitter<Object> emitter = (UniEmitter<Object>) e;
            if (woken) {
                woken = false;
                emitter.complete(Boolean.TRUE);
                return;
            }
            wakeEmitter = emitter;
            emitter.onTermination(() -> {
                synchronized (Waiter.this) {
                    if (wakeEmitter == emitter) {
                        wakeEmitter = null;
                    }
                }
            });
        }

        void wake() {
            UniEmitter<Object> e;
            synchronized (this) {
                e = wakeEmitter;
                wakeEmitter = null;
                if (e == null) {
                    woken = true;
                }
            }
            if (e != null) {
                e.complete(Boolean.TRUE);
            }
        }
    }

    private record Outcome(Handle granted, Optional<LockHolder> holder) {
        static Outcome granted(Handle h) {
            return new Outcome(h, Optional.empty());
        }

        static Outcome busy(Optional<LockHolder> holder) {
            return new Outcome(null, holder);
        }
    }

    /** An attempt that did not get the lock; the retry policy decides what follows. */
    static final class Busy extends RuntimeException {
        enum Kind { HELD, GUARD, NOT_HEAD }

        final Kind kind;
        final Optional<LockHolder> holder;

        Busy(Kind kind, Optional<LockHolder> holder) {
            super(kind.name(), null, false, false);
            this.kind = kind;
            this.holder = holder;
        }
    }

    /** Ends the retries with a failed result. */
    private static final class GiveUp extends RuntimeException {
        final LockResult.Failed failed;

        GiveUp(LockResult failed) {
            super(((LockResult.Failed) failed).message(), null, false, false);
            this.failed = (LockResult.Failed) failed;
        }
    }

    /** A grant of this engine, or a view of a lease grant read from disk. */
    final class Handle implements LockHandle {
        static final int HELD = 0;
        static final int RELEASED = 1;
        static final int LOST = 2;
        /** Released by its holder, lock file not yet removed: still beating, so nobody judges it stale meanwhile. */
        static final int RELEASING = 3;

        final Path resource;
        final String lockId;
        final LockType type;
        final long fencingToken;
        final Instant acquiredAt;
        volatile Optional<Instant> expiresAt;
        final Duration lease;
        final AtomicInteger state = new AtomicInteger(HELD);
        final long grantedNanos = settings.nanoTime().getAsLong();

        Handle(Path resource, String lockId, LockType type, long fencingToken, Instant acquiredAt,
               Optional<Instant> expiresAt, Duration lease) {
            this.resource = resource;
            this.lockId = lockId;
            this.type = type;
            this.fencingToken = fencingToken;
            this.acquiredAt = acquiredAt;
            this.expiresAt = expiresAt;
            this.lease = lease;
        }

        @Override
        public Uni<Void> release() {
            if (!state.compareAndSet(HELD, RELEASING)) {
                return Uni.createFrom().voidItem();
            }
            if (lease == null) {
                events.released(settings.nanoTime().getAsLong() - grantedNanos);
            }
            return LockFileEngine.this.release(resource, lockId)
                    .eventually(() -> {
                        state.compareAndSet(RELEASING, RELEASED);
                        heartbeating.remove(this);
                        LIVE_OWNERS.remove(lockId);
                    })
                    .replaceWithVoid();
        }

        void markLost() {
            if (state.compareAndSet(HELD, LOST)) {
                heartbeating.remove(this);
                LIVE_OWNERS.remove(lockId);
            }
        }

        @Override
        public boolean isHeld() {
            return state.get() == HELD && expiresAt.map(e -> settings.clock().instant().isBefore(e)).orElse(true);
        }

        @Override
        public Path lockPath() {
            return LockFileEngine.lockPath(resource);
        }

        @Override
        public Path resource() {
            return resource;
        }

        @Override
        public String lockId() {
            return lockId;
        }

        @Override
        public long fencingToken() {
            return fencingToken;
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

        /**
         * For a lease, extends it; for a process lock (kept alive by the heartbeat, with no end) it refreshes the
         * heartbeat at once and ignores {@code newLease}.
         */
        @Override
        public Uni<LockHandle> renew(Duration newLease) {
            if (state.get() != HELD) {
                return Uni.createFrom().failure(new LockLostException("the lock was released"));
            }
            return LockFileEngine.this.renew(resource, lockId, newLease)
                    .invoke(view -> expiresAt = view.expiresAt())
                    .onFailure(LockLostException.class).invoke(f -> markLost())
                    .replaceWith(this);
        }

        @Override
        public String toString() {
            return "LockHandle[" + resource.getFileName() + ", " + type.wireName() + ", token " + fencingToken + "]";
        }
    }
}
