package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * This process' hold of one lock file, for the grants of its {@link LocalLock}: one holder entry (owner id: the
 * engine's) that stands for an exclusive grant or any number of shared ones. The entry is written when the first
 * grant comes from the file and removed (or parked) when the last one goes; in between, grants pass from one local
 * waiter to the next in memory, and the heartbeat keeps the entry fresh.
 *
 * <p>Every method but {@link #whileHeld} runs under the monitor of the {@link LocalLock}; file work happens under the
 * resource's guard as well.
 */
final class ProcessHold {

    private final LocalLock local;
    private final LockFileEngine engine;
    private final Path lockFile;
    /** Null, exclusive (one grant) or shared (counted grants). */
    volatile LockType held;
    /** Whether the lock file is parked by this process (see {@link LockFileContent#PARKED}). */
    volatile boolean parked;
    volatile Grant exclusive;
    int sharedGrants;
    /** The last fencing token granted while held exclusively (drawn in memory by hand-overs). */
    long lastToken;

    ProcessHold(LocalLock local, LockFileEngine engine, Path lockFile) {
        this.local = local;
        this.engine = engine;
        this.lockFile = lockFile;
    }

    boolean holdsFile() {
        return held != null || parked;
    }

    int grants() {
        LockType h = held;
        return h == LockType.EXCLUSIVE ? 1 : h == LockType.SHARED ? sharedGrants : 0;
    }

    Optional<LockHolder> describe() {
        return exclusive == null ? Optional.empty() : Optional.of(engine.describeOwn(exclusive));
    }

    /** A grant {@code g} of type {@code type} came from the lock file, which now names this process. */
    void grantedFromFile(LockType type, Grant g, long token) {
        held = type;
        parked = false;
        if (type == LockType.EXCLUSIVE) {
            exclusive = g;
            lastToken = token;
        } else {
            sharedGrants++;
        }
    }

    /** The next exclusive grant, handed over in memory: only the fencing counter advances. */
    Grant handOver(Waiter next, Instant now) {
        lastToken = Math.max(lastToken + 1, FenceFile.micros(now));
        exclusive = engine.newGrant(next, lastToken, now);
        return exclusive;
    }

    /**
     * Removes this process' entry from the lock file, or parks the lock ({@code park}, exclusive only); nothing when
     * the entry is gone (taken over, broken). The fencing counter is brought up to the last token granted in memory.
     */
    void leave(boolean park, Instant now) throws IOException {
        LockType was = held;
        held = null;
        exclusive = null;
        sharedGrants = 0;
        try (FenceFile.Guard guard = local.guardPatiently()) {
            // Always read the file before removing or parking it: a file at the path with this process' inode and
            // mtime may still be another's (on JDK 17 creationTime is the mtime, ext4 stamps coarsely, and an inode
            // freed by a breaker is reused at once), and removing another's lock file would make two holders.
            guard.recordToken(Math.max(guard.lastToken(), lastToken));
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            if (s == null || s.content() == null || s.content().planOnly() || s.content().parked()) {
                return;
            }
            List<LockFileContent.Holder> others = new ArrayList<>();
            boolean mine = false;
            for (LockFileContent.Holder h : s.content().holders()) {
                if (engine.owner().equals(h.owner())) {
                    mine = true;
                } else {
                    others.add(h);
                }
            }
            if (!mine) {
                return;
            }
            if (!others.isEmpty()) {
                LockFiles.replace(lockFile, LockFiles.bytes(s.content().withHolders(others, now)));
            } else if (park) {
                parkFile(s, now);
            } else {
                LockFiles.delete(lockFile);
            }
        }
    }

    private void parkFile(LockFiles.Snapshot s, Instant now) throws IOException {
        if (s != null && s.content() != null) {
            LockFiles.rewrite(lockFile, s, s.content().with(LockFileContent.PARKED, now));
            parked = true;
        }
    }

    /** Runs {@code write} under the guard once the lock file is seen to still name this process, held. */
    <R> R whileHeld(Grant g, Supplier<R> write) {
        try (FenceFile.Guard guard = local.guardPatiently()) {
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            boolean ours = exclusive == g && s != null && s.content() != null && !s.content().parked()
                    && !s.content().planOnly()
                    && s.content().holders().stream().anyMatch(h -> engine.owner().equals(h.owner()));
            if (!ours) {
                g.markLost();
                throw new LockLostException("the lock of " + lockFile.getFileName() + " was lost (broken by "
                        + "another process) before the write");
            }
            return write.get();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Refreshes the heartbeat of this process' entry; finds out when someone else removed it. */
    void beat(FenceFile.Guard guard) throws IOException {
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
    }

    private void lost() {
        if (held != null) {
            engine.lostWhileHeld(lockFile);
        }
        if (exclusive != null) {
            exclusive.markLost();
            exclusive = null;
        }
        held = null;
        sharedGrants = 0;
        parked = false;
    }

    /** The engine is closing: gives this process' entry back (a parked lock stays for the next Hasp process). */
    void abandon() {
        if (held == null) {
            return;
        }
        Grant g = exclusive;
        try {
            leave(false, engine.settings().clock().instant());
        } catch (IOException | RuntimeException e) {
            engine.beatFailed(lockFile, e);
        }
        if (g != null) {
            g.state.set(Grant.State.RELEASED);
        }
    }
}
