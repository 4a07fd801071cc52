package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * One resource as this JVM sees it: its waiters in arrival order, this process' hold of the lock file
 * ({@link ProcessHold}), this JVM's turn among waiting processes ({@link Turn}), and the hand-over between local
 * waiters. Every decision about these is taken under this object's monitor; file work under it runs inside the
 * resource's guard (monitor first, guard second, everywhere).
 *
 * <p>A release in this JVM hands an exclusive lock straight to the next local waiter (no file I/O: the lock file
 * names this process, not the grant; only the fencing counter advances, in memory) while no other process waits.
 * When one does, the lock file is released for real and the local waiters queue behind it: no JVM keeps a lock from
 * another that waits.
 *
 * <p>A turn that brought an exclusive hold is kept for as long as this process holds the lock file (hand-overs in
 * memory included) and passed the moment the file is removed or parked: the next process' turn thread, blocked in
 * the kernel on this turn's slot, is woken by the release itself. Shared grants and leases pass the turn when granted.
 */
final class LocalLock {

    final Path resource;
    final Path lockFile;
    private final LockFileEngine engine;
    private final ProcessHold hold;
    private final FenceRef fence;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final Contention contention = new Contention();
    private Turn turn;
    private boolean usedSinceLastLook = true;
    boolean retired;

    LocalLock(LockFileEngine engine, Path resource) throws IOException {
        this.engine = engine;
        this.resource = resource;
        this.lockFile = LockPaths.lock(resource);
        this.hold = new ProcessHold(this, engine, lockFile);
        this.fence = new FenceRef(resource);
    }

    /** Whether this process' holder entry in the lock file is live (held, or parked by us). */
    boolean holdsFile() {
        return hold.holdsFile();
    }

    int grants() {
        return hold.grants();
    }

    /** Acquisitions of this process queued for the lock now. */
    synchronized int waiting() {
        return waiters.size();
    }

    synchronized void enqueue(Waiter w) {
        usedSinceLastLook = true;
        waiters.addLast(w);
        contention.signal();
    }

    synchronized boolean idle() {
        return waiters.isEmpty() && !hold.holdsFile() && turn == null && contention.isEmpty();
    }

    /** Whether nothing used this resource since the previous call (the heartbeat pass asks, to retire it). */
    synchronized boolean idleSinceLastLook() {
        boolean quiet = idle() && !usedSinceLastLook;
        usedSinceLastLook = false;
        return quiet;
    }

    /** Gives back the fence file; only once retired. */
    void close() {
        fence.close();
    }

    /** One attempt of {@code w}; throws {@link WaitPolicy.Busy} or {@link WaitPolicy.GiveUp} when not granted. */
    Grant attempt(Waiter w) {
        List<Waiter> wake = new ArrayList<>(1);
        try {
            synchronized (this) {
                return attemptLocked(w, wake);
            }
        } finally {
            wake.forEach(Waiter::wake);
        }
    }

    private Grant attemptLocked(Waiter w, List<Waiter> wake) {
        if (w.state == Waiter.State.GRANTED) {
            return w.grant;
        }
        if (w.state != Waiter.State.WAITING) {
            throw new WaitPolicy.Busy(WaitPolicy.Kind.QUEUED);
        }
        if (waiters.peekFirst() != w) {
            throw queued(w, wake);
        }
        try {
            if (!w.isLease() && hold.held != null) {
                if (hold.held == LockType.SHARED && w.options.type() == LockType.SHARED && !othersWaiting()) {
                    return grantShared(w, wake);
                }
                // this process holds it: a release wakes us, but the attempt counts against maxRetries as one that
                // found the lock held would
                w.retries++;
                w.lastHolder = hold.describe();
                throw giveUpOr(w, wake, true, new WaitPolicy.Busy(WaitPolicy.Kind.HELD));
            }
            if (turn != null && !turn.isHead()) {
                throw queued(w, wake);
            }
            return attemptFile(w, wake);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Grant attemptFile(Waiter w, List<Waiter> wake) throws IOException {
        Instant now = engine.settings().clock().instant();
        try (FenceFile.Guard guard = guard()) {
            if (guard == null) {
                throw giveUpOr(w, wake, false, new WaitPolicy.Busy(WaitPolicy.Kind.GUARD));
            }
            engine.countFileAttempt();
            if (turn == null && fence.file().othersQueued(-1)) {
                // processes wait already: queue behind them instead of barging in
                WaitPolicy.Busy busy = queued(w, wake);
                turn = Turn.start(guard.drawTicket(), this::onTurn);
                throw busy;
            }
            String owner = w.isLease() ? w.lockId : engine.owner();
            // the common case first: nobody holds it, and O_EXCL says so without a read
            long token = guard.nextToken(FenceFile.micros(now));
            LockFileContent.Holder mine = LockFileContent.Holder.of(owner, token, now, w.options.lease());
            LockFileContent fresh = LockFileContent.of(w.options.type(), List.of(mine), LockFileContent.HELD, now);
            if (LockFiles.create(lockFile, fresh)) {
                return granted(w, token, now, wake);
            }
            LockFiles.Snapshot found = LockFiles.read(lockFile);
            LockDecision.Evaluation evaluation = engine.evaluate(lockFile, found);
            LockDecision.Decision decision = LockDecision.decide(found,
                    evaluation, new LockDecision.Request(w.options.type(), owner));
            switch (decision.kind()) {
                case CREATE, BREAK_AND_CREATE -> {
                    if (decision.kind() == LockDecision.Kind.BREAK_AND_CREATE) {
                        if (!LockFiles.breakAside(lockFile, found)) {
                            throw busy(w, wake, guard, Optional.empty(), evaluation);
                        }
                        engine.countBroken(evaluation.stale());
                    }
                    if (!LockFiles.create(lockFile, fresh)) {
                        throw busy(w, wake, guard, Optional.empty(), evaluation);
                    }
                    return granted(w, token, now, wake);
                }
                case TAKE_OVER, UNPARK, JOIN -> {
                    List<LockFileContent.Holder> holders = new ArrayList<>(decision.keep());
                    holders.add(mine);
                    LockFileContent content = LockFileContent.of(w.options.type(), holders, LockFileContent.HELD,
                            now);
                    if (decision.kind() == LockDecision.Kind.TAKE_OVER) {
                        LockFiles.replace(lockFile, LockFiles.bytes(content));
                    } else {
                        LockFiles.rewrite(lockFile, found, content);
                    }
                    return granted(w, token, now, wake);
                }
                default -> throw busy(w, wake, guard, decision.holder(), evaluation);
            }
        }
    }

    private Grant granted(Waiter w, long token, Instant now, List<Waiter> wake) {
        Grant g = engine.newGrant(w, token, now);
        if (!w.isLease()) {
            hold.grantedFromFile(w.options.type(), g, token);
        }
        deliver(w, g, wake);
        return g;
    }

    /** A shared grant beside this process' shared hold: the file already names us; only a token is drawn. */
    private Grant grantShared(Waiter w, List<Waiter> wake) throws IOException {
        try (FenceFile.Guard guard = guard()) {
            if (guard == null) {
                throw giveUpOr(w, wake, false, new WaitPolicy.Busy(WaitPolicy.Kind.GUARD));
            }
            Instant now = engine.settings().clock().instant();
            Grant g = engine.newGrant(w, guard.nextToken(FenceFile.micros(now)), now);
            hold.sharedGrants++;
            deliver(w, g, wake);
            return g;
        }
    }

    private void deliver(Waiter w, Grant g, List<Waiter> wake) {
        w.state = Waiter.State.GRANTED;
        w.grant = g;
        waiters.remove(w);
        if (hold.held != LockType.EXCLUSIVE) {
            passTurn(); // shared grants and leases pass it at once (class comment)
        }
        Waiter next = waiters.peekFirst();
        if (next != null) {
            wake.add(next);
        }
    }

    private WaitPolicy.Busy busy(Waiter w, List<Waiter> wake, FenceFile.Guard guard, Optional<LockHolder> holder,
                                 LockDecision.Evaluation evaluation) throws IOException {
        w.retries++;
        w.lastHolder = holder;
        w.holderEndsAtMillis = evaluation.live().stream().map(h -> LockFileContent.parse(h.expiresAt()))
                .flatMap(Optional::stream).mapToLong(Instant::toEpochMilli).min().orElse(Long.MAX_VALUE);
        WaitPolicy.Busy busy = giveUpOr(w, wake, true, new WaitPolicy.Busy(WaitPolicy.Kind.HELD));
        if (turn == null) {
            // get in line (only a waiter that goes on waiting), so that whoever comes later waits behind us
            turn = Turn.start(guard.drawTicket(), this::onTurn);
        }
        engine.watch(resource);
        return busy;
    }

    private WaitPolicy.Busy queued(Waiter w, List<Waiter> wake) {
        if (hold.held != null) {
            w.lastHolder = hold.describe();
        }
        return giveUpOr(w, wake, false, new WaitPolicy.Busy(WaitPolicy.Kind.QUEUED));
    }

    /**
     * Gives up now when the deadline passed, the timeout is zero, or {@code maxRetries} attempts found the lock
     * held and their schedule has passed (wake-ups follow changes of the lock file, not a timer: retries must not
     * run out faster); else answers {@code busy}. Decided under the monitor, atomically with hand-overs: a waiter
     * that gives up never holds a grant.
     */
    private WaitPolicy.Busy giveUpOr(Waiter w, List<Waiter> wake, boolean found, WaitPolicy.Busy busy) {
        long now = engine.settings().nanoTime().getAsLong();
        boolean late = now - w.deadlineNanos >= 0;
        boolean once = w.options.timeout().isZero();
        boolean tooMany = found && w.retries > w.options.maxRetries() && now - w.startNanos >= LockOptions
                .retriesSchedule(w.options.retryInterval(), engine.settings().retryCap(), w.options.maxRetries());
        if (!late && !once && !tooMany) {
            return busy;
        }
        if (w.lastHolder.isEmpty()) {
            // queued behind other processes, this waiter never read the file: say who holds it now
            w.lastHolder = engine.currentHolder(resource);
        }
        LockResult.Reason reason = once || tooMany ? LockResult.Reason.LOCKED : LockResult.Reason.TIMEOUT;
        String what = reason == LockResult.Reason.TIMEOUT
                ? "timed out after " + w.options.timeout().toMillis() + " ms waiting for the lock" : "lock is busy";
        leave(w, Waiter.State.GAVE_UP, wake);
        throw new WaitPolicy.GiveUp((LockResult.Failed) LockResult.failed(reason,
                WaitPolicy.describe(what, resource, w.lastHolder), w.lastHolder));
    }

    /** The end of an acquisition: a cancelled or failed waiter leaves the queue; a grant it never saw is released. */
    void finish(Waiter w, boolean cancelled) {
        Grant unseen = null;
        List<Waiter> wake = new ArrayList<>(1);
        synchronized (this) {
            if (w.state == Waiter.State.GRANTED && cancelled && !w.delivered) {
                unseen = w.grant;
            } else if (w.state == Waiter.State.WAITING) {
                leave(w, Waiter.State.CANCELLED, wake);
            }
        }
        if (unseen != null) {
            unseen.release().subscribe().with(x -> { }, f -> { });
        }
        wake.forEach(Waiter::wake);
    }

    /** {@code w} leaves the queue; the next one is woken if it was first; an unused turn is passed on. */
    private void leave(Waiter w, Waiter.State end, List<Waiter> wake) {
        boolean wasHead = waiters.peekFirst() == w;
        w.state = end;
        waiters.remove(w);
        if (wasHead && waiters.peekFirst() != null) {
            wake.add(waiters.peekFirst());
        }
        if (waiters.isEmpty() && hold.held != LockType.EXCLUSIVE) {
            // nobody here waits any more: pass on a turn that came (one on its way is passed by onTurn; one kept by
            // an exclusive hold is passed when the hold ends)
            passTurn();
        }
    }

    // ------------------------------------------------------------------------------------------------ turn

    private void onTurn() {
        Waiter head;
        synchronized (this) {
            head = waiters.peekFirst();
            if (head == null && turn != null) {
                // nobody here wants it any more: pass it straight on
                turn.pass();
                turn = null;
            }
        }
        if (head != null) {
            head.wake();
        }
    }

    /** Passes a turn that came to the next process in line. */
    private void passTurn() {
        if (turn != null && turn.isHead()) {
            turn.pass();
            turn = null;
        }
    }

    /** Whether another process waits for this resource (or processes before this JVM hold the turn). */
    private boolean othersWaiting() {
        try {
            if (turn != null && !turn.isHead()) {
                return true;
            }
            return fence.file().othersQueued(turn == null ? -1 : turn.number());
        } catch (IOException e) {
            return true;
        }
    }

    /** The lock file changed (another process released, or anything else): the first waiter looks again. */
    void ringLock() {
        Waiter head;
        synchronized (this) {
            head = waiters.peekFirst();
        }
        if (head != null) {
            head.wake();
        }
    }

    /** The fence file changed: another process may have drawn a ticket. */
    synchronized void ringFence() {
        if (!contention.isEmpty() && othersWaiting()) {
            contention.signal();
        }
    }

    synchronized void awaitContention(UniEmitter<? super Void> emitter) {
        if (!waiters.isEmpty() || othersWaiting()) {
            emitter.complete(null);
            return;
        }
        contention.add(emitter);
    }

    // ------------------------------------------------------------------------------------------------ release

    /**
     * Ends grant {@code g} of this process. An exclusive grant goes straight to the next local waiter while no other
     * process waits; otherwise the lock file is removed, or parked when {@code park}. The last shared grant removes
     * this process' entry.
     */
    void release(Grant g, boolean park) throws IOException {
        Waiter next = null;
        try {
            synchronized (this) {
                next = releaseLocked(g, park);
            }
        } finally {
            g.state.set(Grant.State.RELEASED);
            if (next != null) {
                next.wake();
            }
        }
    }

    private Waiter releaseLocked(Grant g, boolean park) throws IOException {
        Instant now = engine.settings().clock().instant();
        if (g.type == LockType.SHARED) {
            if (hold.held != LockType.SHARED || hold.sharedGrants == 0) {
                return null;
            }
            if (--hold.sharedGrants == 0) {
                hold.leave(false, now);
            }
            return waiters.peekFirst();
        }
        if (hold.exclusive != g) {
            return null;
        }
        Waiter next = waiters.peekFirst();
        if (next != null && next.state == Waiter.State.WAITING && next.isProcessExclusive() && !othersWaiting()) {
            deliver(next, hold.handOver(next, now), new ArrayList<>(1));
            engine.handedOff();
            return next;
        }
        try {
            hold.leave(park, now);
        } finally {
            passTurn(); // the lock file is gone (or parked): the kernel wakes the next process' turn thread now
        }
        return next;
    }

    <R> R whileHeld(Grant g, Supplier<R> write) {
        return hold.whileHeld(g, write);
    }

    /** Refreshes this process' heartbeat in the lock file (a guard busy now is tried again next beat). */
    synchronized void beat() {
        if (!hold.holdsFile()) {
            return;
        }
        try (FenceFile.Guard guard = guard()) {
            if (guard != null) {
                hold.beat(guard);
            }
        } catch (IOException | RuntimeException e) {
            engine.beatFailed(resource, e);
        }
        if (hold.held != LockType.EXCLUSIVE) {
            passTurn(); // a hold found lost (removed by someone else) no longer keeps its turn
        }
    }

    /** The engine is closing: passes the turn and gives back this process' hold (a parked lock stays). */
    synchronized void abandon() {
        if (turn != null) {
            turn.pass();
            turn = null;
        }
        hold.abandon();
    }

    FenceFile.Guard guard() throws IOException {
        return fence.guard();
    }

    FenceFile.Guard guardPatiently() throws IOException {
        return fence.guardPatiently();
    }
}
