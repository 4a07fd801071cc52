package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Supplier;

import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * One resource as this JVM sees it: its waiters in arrival order, this process' own hold of the lock file (an
 * exclusive grant, or shared grants counted under one holder entry), this JVM's turn among waiting processes, and
 * the hand-over between local waiters. Every decision about these is taken under this object's monitor; the file
 * work under it runs inside the resource's guard (monitor first, guard second, everywhere).
 *
 * <p>A release in this JVM hands the lock straight to the next local waiter (no file I/O: the lock file names this
 * process, not the grant; only the fencing counter advances, in memory) while no other process waits. When one
 * does, the lock file is released for real and the local waiters queue behind it: no JVM keeps a lock from another
 * that waits.
 */
final class LocalLock {

    final Path resource;
    final Path lockFile;
    private final LockFileEngine engine;
    private FenceFile fence;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private final List<UniEmitter<? super Void>> contention = new ArrayList<>();
    private Turn turn;
    /** This process' hold of the lock file: null, exclusive (one grant) or shared (counted grants). */
    private volatile LockType held;
    private volatile boolean parkedByUs;
    private Grant exclusive;
    private int sharedGrants;
    private long lastToken;
    boolean retired;

    LocalLock(LockFileEngine engine, Path resource) throws IOException {
        this.engine = engine;
        this.resource = resource;
        this.lockFile = LockPaths.lock(resource);
        this.fence = FenceFiles.take(resource, true);
    }

    /** Whether this process' holder entry in the lock file is live (held, or parked by us). */
    boolean holdsFile() {
        return held != null || parkedByUs;
    }

    int grants() {
        return (held == LockType.EXCLUSIVE ? 1 : 0) + (held == LockType.SHARED ? sharedGrants : 0);
    }

    synchronized void enqueue(Waiter w) {
        waiters.addLast(w);
        signalContention();
    }

    synchronized boolean idle() {
        return waiters.isEmpty() && held == null && turn == null && !parkedByUs && contention.isEmpty();
    }

    /** Gives back the fence file; only once retired. */
    void close() {
        FenceFiles.put(fence);
    }

    // ------------------------------------------------------------------------------------------------ acquisition

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
        if (!w.isLease() && held != null) {
            if (held == LockType.SHARED && w.options.type() == LockType.SHARED && !othersWaiting()) {
                return grantLocally(w, wake);
            }
            // this process holds it: the release wakes us, but the attempt counts against maxRetries as one that
            // found the lock held would
            w.retries++;
            if (exclusive != null) {
                w.lastHolder = Optional.of(engine.describeOwn(exclusive));
            }
            throw giveUpOr(w, wake, true, new WaitPolicy.Busy(WaitPolicy.Kind.HELD));
        }
        if (turn != null && !turn.isHead()) {
            throw queued(w, wake);
        }
        try {
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
            if (turn == null && fence.othersQueued(-1)) {
                // processes wait already: queue behind them instead of barging in
                WaitPolicy.Busy busy = queued(w, wake);
                turn = startTurn(guard);
                throw busy;
            }
            String owner = w.isLease() ? w.lockId : engine.owner();
            LockDecision.Request request = new LockDecision.Request(w.options.type(), owner);
            LockFiles.Snapshot found = LockFiles.read(lockFile);
            LockDecision.Evaluation evaluation = engine.evaluate(lockFile, found);
            LockDecision.Decision decision = LockDecision.decide(found, evaluation, request);
            switch (decision.kind()) {
                case CREATE, BREAK_AND_CREATE -> {
                    if (decision.kind() == LockDecision.Kind.BREAK_AND_CREATE) {
                        if (!LockFiles.breakAside(lockFile, found)) {
                            throw busy(w, wake, guard, Optional.empty(), evaluation);
                        }
                        engine.countBroken(evaluation.stale());
                    }
                    long token = guard.nextToken(LockFileEngine.micros(now));
                    LockFileContent.Holder mine = engine.holderEntry(owner, token, now, w.options.lease());
                    if (!LockFiles.create(lockFile, LockFileContent.of(w.options.type(), List.of(mine),
                            LockFileContent.HELD, now))) {
                        throw busy(w, wake, guard, Optional.empty(), evaluation);
                    }
                    return granted(w, token, now, wake);
                }
                case TAKE_OVER, UNPARK, JOIN -> {
                    long token = guard.nextToken(LockFileEngine.micros(now));
                    List<LockFileContent.Holder> holders = new ArrayList<>(decision.keep());
                    holders.add(engine.holderEntry(owner, token, now, w.options.lease()));
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
            held = w.options.type();
            parkedByUs = false;
            if (held == LockType.EXCLUSIVE) {
                exclusive = g;
                lastToken = token;
            } else {
                sharedGrants++;
            }
        }
        deliver(w, g, wake);
        return g;
    }

    /** A shared grant beside this process' shared hold: the file already names us; only a token is drawn. */
    private Grant grantLocally(Waiter w, List<Waiter> wake) {
        try (FenceFile.Guard guard = guard()) {
            if (guard == null) {
                throw giveUpOr(w, wake, false, new WaitPolicy.Busy(WaitPolicy.Kind.GUARD));
            }
            Instant now = engine.settings().clock().instant();
            Grant g = engine.newGrant(w, guard.nextToken(LockFileEngine.micros(now)), now);
            sharedGrants++;
            deliver(w, g, wake);
            return g;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void deliver(Waiter w, Grant g, List<Waiter> wake) {
        w.state = Waiter.State.GRANTED;
        w.grant = g;
        waiters.remove(w);
        if (turn != null && turn.isHead()) {
            turn.pass();
            turn = null;
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
            turn = startTurn(guard);
        }
        engine.watch(resource);
        return busy;
    }

    private WaitPolicy.Busy queued(Waiter w, List<Waiter> wake) {
        if (held != null && exclusive != null) {
            w.lastHolder = Optional.of(engine.describeOwn(exclusive));
        }
        return giveUpOr(w, wake, false, new WaitPolicy.Busy(WaitPolicy.Kind.QUEUED));
    }

    /**
     * Gives up now when the deadline passed, the timeout is zero, or {@code maxRetries} attempts found the lock
     * held; else answers {@code busy}. Decided under the monitor, atomically with hand-overs: a waiter that gives
     * up never holds a grant.
     */
    private WaitPolicy.Busy giveUpOr(Waiter w, List<Waiter> wake, boolean held, WaitPolicy.Busy busy) {
        boolean late = engine.settings().nanoTime().getAsLong() - w.deadlineNanos >= 0;
        boolean once = w.options.timeout().isZero();
        boolean tooMany = held && w.retries > w.options.maxRetries();
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
        boolean wasHead = waiters.peekFirst() == w;
        w.state = Waiter.State.GAVE_UP;
        waiters.remove(w);
        if (wasHead && waiters.peekFirst() != null) {
            wake.add(waiters.peekFirst());
        }
        passTurnIfIdle();
        throw new WaitPolicy.GiveUp((LockResult.Failed) LockResult.failed(reason,
                LockFileEngine.describe(what, resource, w.lastHolder), w.lastHolder));
    }

    /** The end of an acquisition: a cancelled or failed waiter leaves the queue; a grant it never saw is released. */
    void finish(Waiter w, boolean cancelled) {
        Grant unseen = null;
        Waiter next = null;
        synchronized (this) {
            if (w.state == Waiter.State.GRANTED && cancelled && !w.delivered) {
                unseen = w.grant;
            } else if (w.state == Waiter.State.WAITING) {
                w.state = Waiter.State.CANCELLED;
                boolean wasHead = waiters.peekFirst() == w;
                waiters.remove(w);
                next = wasHead ? waiters.peekFirst() : null;
                passTurnIfIdle();
            }
        }
        if (unseen != null) {
            unseen.release().subscribe().with(x -> { }, f -> { });
        }
        if (next != null) {
            next.wake();
        }
    }

    // ------------------------------------------------------------------------------------------------ turn

    private Turn startTurn(FenceFile.Guard guard) throws IOException {
        return Turn.start(guard.drawTicket(), this::onTurn);
    }

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
        } else {
            engine.maybeRetire(this);
        }
    }

    /**
     * Nobody of this JVM waits any more: a turn that came is passed on (one still on its way is passed by
     * {@link #onTurn} when it comes), so the next process is not kept waiting for a waiter that left.
     */
    private void passTurnIfIdle() {
        if (waiters.isEmpty() && turn != null && turn.isHead()) {
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
            return fence.othersQueued(turn == null ? -1 : turn.number());
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
    void ringFence() {
        synchronized (this) {
            if (!contention.isEmpty() && othersWaiting()) {
                signalContention();
            }
        }
    }

    synchronized void awaitContention(UniEmitter<? super Void> emitter) {
        if (!waiters.isEmpty() || othersWaiting()) {
            emitter.complete(null);
            return;
        }
        contention.add(emitter);
        emitter.onTermination(() -> {
            synchronized (LocalLock.this) {
                contention.remove(emitter);
            }
        });
    }

    private void signalContention() {
        List<UniEmitter<? super Void>> all = List.copyOf(contention);
        contention.clear();
        all.forEach(e -> e.complete(null));
    }

    // ------------------------------------------------------------------------------------------------ release

    /**
     * Ends grant {@code g} of this process. An exclusive grant goes straight to the next local waiter while no other
     * process waits; otherwise the lock file is removed, or parked when {@code park}. The last shared grant removes
     * this process' entry.
     */
    void release(Grant g, boolean park) throws IOException {
        Waiter wake = null;
        try {
            synchronized (this) {
                wake = releaseLocked(g, park);
            }
        } finally {
            g.state.set(Grant.State.RELEASED);
            if (wake != null) {
                wake.wake();
            }
        }
    }

    private Waiter releaseLocked(Grant g, boolean park) throws IOException {
        Instant now = engine.settings().clock().instant();
        if (g.type == LockType.SHARED) {
            if (held != LockType.SHARED || sharedGrants == 0) {
                return null;
            }
            if (--sharedGrants == 0) {
                held = null;
                leaveFile(false, now);
            }
            return waiters.peekFirst();
        }
        if (exclusive != g) {
            return null;
        }
        Waiter next = waiters.peekFirst();
        if (next != null && next.state == Waiter.State.WAITING && next.isProcessExclusive() && !othersWaiting()) {
            lastToken = Math.max(lastToken + 1, LockFileEngine.micros(now));
            Grant handed = engine.newGrant(next, lastToken, now);
            exclusive = handed;
            List<Waiter> wake = new ArrayList<>(1);
            deliver(next, handed, wake);
            engine.handedOff();
            return next;
        }
        exclusive = null;
        held = null;
        leaveFile(park, now);
        return next;
    }

    /** Removes (or parks) this process' entry of the lock file, under the guard; nothing if it is not there. */
    private void leaveFile(boolean park, Instant now) throws IOException {
        try (FenceFile.Guard guard = guardPatiently()) {
            guard.recordToken(Math.max(guard.lastToken(), lastToken));
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            if (s == null || s.content() == null || s.content().planOnly() || s.content().parked()) {
                return;
            }
            List<LockFileContent.Holder> others = new ArrayList<>();
            LockFileContent.Holder mine = null;
            for (LockFileContent.Holder h : s.content().holders()) {
                if (engine.owner().equals(h.owner())) {
                    mine = h;
                } else {
                    others.add(h);
                }
            }
            if (mine == null) {
                return;
            }
            if (!others.isEmpty()) {
                LockFiles.replace(lockFile, LockFiles.bytes(s.content().withHolders(others, now)));
            } else if (park) {
                LockFiles.rewrite(lockFile, s, s.content().with(LockFileContent.PARKED, now));
                parkedByUs = true;
            } else {
                Files.deleteIfExists(lockFile);
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ while held

    /** Runs {@code write} under the guard once the lock file is seen to still name this process, held. */
    <R> R whileHeld(Grant g, Supplier<R> write) {
        try (FenceFile.Guard guard = guardPatiently()) {
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            boolean ours = exclusive == g && s != null && s.content() != null && !s.content().parked()
                    && !s.content().planOnly()
                    && s.content().holders().stream().anyMatch(h -> engine.owner().equals(h.owner()));
            if (!ours) {
                g.markLost();
                throw new LockLostException("the lock of " + resource.getFileName() + " was lost (broken by "
                        + "another process) before the write");
            }
            return write.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------------ heartbeat

    /** Refreshes this process' heartbeat in the lock file; finds out when the entry was removed by someone else. */
    void beat() {
        synchronized (this) {
            if (!holdsFile()) {
                return;
            }
            try (FenceFile.Guard guard = guard()) {
                if (guard == null) {
                    return;
                }
                Instant now = engine.settings().clock().instant();
                LockFiles.Snapshot s = LockFiles.read(lockFile);
                List<LockFileContent.Holder> holders = s == null || s.content() == null || s.content().planOnly()
                        ? List.of() : new ArrayList<>(s.content().holders());
                int index = -1;
                for (int i = 0; i < holders.size(); i++) {
                    if (engine.owner().equals(holders.get(i).owner())) {
                        index = i;
                    }
                }
                if (index < 0) {
                    lost();
                    return;
                }
                holders.set(index, holders.get(index).withHeartbeat(now));
                LockFiles.rewrite(lockFile, s, s.content().withHolders(holders, now));
            } catch (IOException | RuntimeException e) {
                engine.beatFailed(resource, e);
            }
        }
    }

    private void lost() {
        if (held != null) {
            engine.lostWhileHeld(resource);
        }
        if (exclusive != null) {
            exclusive.markLost();
            exclusive = null;
        }
        held = null;
        sharedGrants = 0;
        parkedByUs = false;
    }

    /** The engine is closing: passes the turn and gives back this process' hold (a parked lock stays). */
    void abandon() {
        synchronized (this) {
            if (turn != null) {
                turn.pass();
                turn = null;
            }
            if (held != null) {
                try {
                    leaveFile(false, engine.settings().clock().instant());
                } catch (IOException | RuntimeException e) {
                    engine.beatFailed(resource, e);
                }
                if (exclusive != null) {
                    exclusive.state.set(Grant.State.RELEASED);
                    exclusive = null;
                }
                held = null;
                sharedGrants = 0;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ guard

    /** The guard, reopening the fence file if it was removed meanwhile; {@code null} when another keeps it. */
    private FenceFile.Guard guard() throws IOException {
        while (true) {
            FenceFile.Guard g = fence.guard();
            if (g != FenceFile.Guard.GONE) {
                return g;
            }
            FenceFile old = fence;
            fence = FenceFiles.take(resource, true);
            FenceFiles.forget(old);
            FenceFiles.put(old);
        }
    }

    /** The guard for work that must happen (a release): waits as long as it takes, a minute at most. */
    private FenceFile.Guard guardPatiently() throws IOException {
        long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() - until < 0) {
            FenceFile.Guard g = guard();
            if (g != null) {
                return g;
            }
        }
        throw new IOException("the guard of " + resource.getFileName() + " stayed busy for a minute");
    }

    /** The fencing token of this process' current exclusive grant, or empty. */
    synchronized OptionalLong currentToken() {
        return exclusive == null ? OptionalLong.empty() : OptionalLong.of(lastToken);
    }
}
