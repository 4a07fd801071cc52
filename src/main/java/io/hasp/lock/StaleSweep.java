package io.hasp.lock;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.jboss.logging.Logger;

/**
 * The sweep of a directory tree ({@link LockFileEngine#sweep}): what crashed or vanished holders left.
 * <ul>
 *   <li>a lock file whose holders are all stale (dead processes, silent remote holders, ended leases) is broken;
 *       stale holders of a shared lock that still has live ones are pruned;</li>
 *   <li>a live lease's {@code timestamp} is kept fresh (once a minute), whichever process granted it, so that a tool
 *       applying the plan's "older than five minutes" rule never takes it;</li>
 *   <li>lock files renamed aside by a breaker, and temp files of a rewrite, that their process left behind (older
 *       than {@code stale-after}) are deleted;</li>
 *   <li>a fence file that guards nothing (no lock file, nobody using it) is removed ({@link FenceFiles#removeIfIdle}).
 *   </li>
 * </ul>
 * Live locks are judged without the guard, which stays free for their holders; what needs a change is judged again
 * under it. A live holder is never removed.
 */
final class StaleSweep {

    private static final Logger LOG = Logger.getLogger(StaleSweep.class);
    /** How stale a live lease's {@code timestamp} may get before the sweep refreshes it. */
    private static final Duration TIMESTAMP_REFRESH = Duration.ofMinutes(1);

    private final LockFileEngine engine;

    StaleSweep(LockFileEngine engine) {
        this.engine = engine;
    }

    SweepReport sweep(Path root) {
        engine.judge().forgetOldObservations();
        if (!Files.isDirectory(root)) {
            return SweepReport.EMPTY;
        }
        List<Path> lockFiles = new ArrayList<>();
        List<Path> leftovers = new ArrayList<>();
        List<Path> fenced = new ArrayList<>();
        list(root, 6, lockFiles, leftovers, fenced);
        removeOld(leftovers);
        SweepReport total = SweepReport.EMPTY;
        for (Path lockFile : lockFiles) {
            String name = lockFile.getFileName().toString();
            total = total.plus(sweepOne(lockFile.resolveSibling(name.substring(0, name.length()
                    - LockPaths.LOCK_SUFFIX.length()))));
        }
        for (Path resource : fenced) {
            removeFenceIfIdle(resource);
        }
        if (total.staleLocksBroken() + total.holdersPruned() > 0) {
            LOG.debugf("sweep: %s", total);
        }
        return total;
    }

    private SweepReport sweepOne(Path resource) {
        Path lockFile = LockPaths.lock(resource);
        try {
            if (nothingToDo(lockFile)) {
                return new SweepReport(1, 0, 0, 0, 0);
            }
            SweepReport report = FenceFiles.withGuard(resource, true, new SweepReport(1, 0, 0, 0, 0),
                    guard -> change(lockFile));
            if (report.staleLocksBroken() + report.holdersPruned() > 0) {
                // after the guard is given back: a waiter's monitor is taken before the guard, never after it
                engine.ringLock(resource);
            }
            return report;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("sweep of %s failed: %s", lockFile.getFileName(), e.toString());
            return new SweepReport(1, 0, 0, 0, 1);
        }
    }

    /** A look without the guard: no file, or live holders only and a fresh timestamp. */
    private boolean nothingToDo(Path lockFile) throws IOException {
        LockFiles.Snapshot s = LockFiles.read(lockFile);
        if (s == null) {
            return true;
        }
        LockDecision.Evaluation ev = engine.evaluate(lockFile, s);
        if (s.content() == null) {
            return !ev.unreadableStale();
        }
        return !ev.live().isEmpty() && ev.stale().isEmpty() && !needsFreshTimestamp(s.content(), ev);
    }

    private SweepReport change(Path lockFile) throws IOException {
        LockFiles.Snapshot s = LockFiles.read(lockFile);
        if (s == null) {
            return new SweepReport(1, 0, 0, 0, 0);
        }
        LockDecision.Evaluation ev = engine.evaluate(lockFile, s);
        if (s.content() == null) {
            boolean broken = ev.unreadableStale() && LockFiles.breakAside(lockFile, s);
            return new SweepReport(1, broken ? 1 : 0, 0, 0, 0);
        }
        int leases = (int) ev.stale().stream().filter(LockFileContent.Holder::isLease).count();
        Instant now = engine.settings().clock().instant();
        if (ev.live().isEmpty()) {
            boolean broken = LockFiles.breakAside(lockFile, s);
            if (broken) {
                engine.countBroken(ev.stale());
            }
            return new SweepReport(1, broken ? 1 : 0, 0, broken ? leases : 0, 0);
        }
        if (!ev.stale().isEmpty() && !s.content().planOnly()) {
            LockFiles.replace(lockFile, LockFiles.bytes(s.content().withHolders(ev.live(), now)));
            engine.countBroken(ev.stale());
            return new SweepReport(1, 0, ev.stale().size(), leases, 0);
        }
        if (needsFreshTimestamp(s.content(), ev)) {
            LockFiles.rewrite(lockFile, s, s.content().withHolders(s.content().holders(), now));
        }
        return new SweepReport(1, 0, 0, 0, 0);
    }

    private boolean needsFreshTimestamp(LockFileContent content, LockDecision.Evaluation ev) {
        if (content.planOnly() || ev.live().stream().noneMatch(LockFileContent.Holder::isLease)) {
            return false;
        }
        Instant stamped = LockFileContent.parse(content.timestamp()).orElse(Instant.EPOCH);
        return stamped.isBefore(engine.settings().clock().instant().minus(TIMESTAMP_REFRESH));
    }

    private void removeFenceIfIdle(Path resource) {
        Path lockFile = LockPaths.lock(resource);
        LocalLock local = engine.local(resource);
        if (local != null) {
            engine.maybeRetire(local);
        }
        if (engine.local(resource) != null || Files.exists(lockFile)) {
            return;
        }
        try {
            FenceFiles.removeIfIdle(resource, () -> !Files.exists(lockFile) && engine.local(resource) == null);
        } catch (IOException | RuntimeException e) {
            LOG.debugf("could not remove an idle fence file: %s", e.toString());
        }
    }

    /** Lock files, leftovers of breakers and rewriters, and fenced resources, without stat-ing each entry. */
    private static void list(Path dir, int depth, List<Path> locks, List<Path> leftovers, List<Path> fenced) {
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                String name = p.getFileName().toString();
                String fenceOf = LockPaths.resourceOfFence(name);
                if (fenceOf != null) {
                    fenced.add(dir.resolve(fenceOf));
                } else if (LockPaths.isAside(name) || LockPaths.isLockTemp(name)) {
                    leftovers.add(p);
                } else if (name.endsWith(LockPaths.LOCK_SUFFIX) && !name.startsWith(".")) {
                    locks.add(p);
                } else if (depth > 0 && !name.contains(".") && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    subdirs.add(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("sweep could not list a directory: %s", e.toString());
        }
        for (Path sub : subdirs) {
            list(sub, depth - 1, locks, leftovers, fenced);
        }
    }

    /** Leftovers are removed at once by their process; one older than {@code stale-after} was orphaned. */
    private void removeOld(List<Path> leftovers) {
        Instant horizon = engine.settings().clock().instant().minus(engine.settings().staleAfter());
        for (Path p : leftovers) {
            try {
                if (Files.getLastModifiedTime(p).toInstant().isBefore(horizon)) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException e) {
                LOG.debugf("could not remove %s: %s", p.getFileName(), e.toString());
            }
        }
    }
}
