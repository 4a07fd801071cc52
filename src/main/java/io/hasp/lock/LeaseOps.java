package io.hasp.lock;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Operations any process may do on a lock file by lock id, whoever granted it: renew and release a lease, force a
 * release (operators), and look at the holders. Changes happen under the resource's guard; a resource that has no
 * fence file and no lock file holds nothing, and asking about it creates no file.
 */
final class LeaseOps {

    private final LockFileEngine engine;

    LeaseOps(LockFileEngine engine) {
        this.engine = engine;
    }

    /** The live holders, read without the guard; a parked lock has none (any Hasp process may take it). */
    List<LockHolder> liveHolders(Path resource) throws IOException {
        Path lockFile = LockPaths.lock(resource);
        LockFiles.Snapshot s = LockFiles.read(lockFile);
        if (s == null) {
            return List.of();
        }
        LockDecision.Evaluation ev = engine.evaluate(lockFile, s);
        if (s.content() == null) {
            return ev.unreadableStale() ? List.of() : List.of(new LockHolder(LockType.EXCLUSIVE, -1, "unknown",
                    s.modified(), OptionalLong.empty(), Optional.empty()));
        }
        if (s.content().parked() && !s.content().planOnly()) {
            return List.of();
        }
        List<LockHolder> out = new ArrayList<>();
        for (LockFileContent.Holder h : ev.live()) {
            out.add(h.toLockHolder(s.content().effectiveType()));
        }
        return out;
    }

    /**
     * Extends the lease of holder {@code owner} to {@code lease} from now ({@code null}: the length it had), or
     * refreshes the heartbeat of a lock of this process. {@link LockLostException} when it holds nothing.
     */
    LockHandle renew(Path resource, String owner, Duration lease) throws IOException {
        Path lockFile = LockPaths.lock(resource);
        boolean maybe = Files.exists(lockFile);
        LockHandle renewed = FenceFiles.withGuard(resource, maybe, null, guard -> {
            Instant now = engine.settings().clock().instant();
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            if (s == null || s.content() == null || s.content().planOnly() || s.content().parked()) {
                return null;
            }
            List<LockFileContent.Holder> holders = new ArrayList<>(s.content().holders());
            for (int i = 0; i < holders.size(); i++) {
                LockFileContent.Holder h = holders.get(i);
                if (!owner.equals(h.owner())) {
                    continue;
                }
                if (engine.judge().isStale(lockFile.toString(), h, s.fingerprint())) {
                    return null;
                }
                Duration length = lease != null ? lease : Duration.ofMillis(h.leaseMs() != null ? h.leaseMs()
                        : engine.settings().staleAfter().toMillis());
                Instant expires = now.plus(length);
                holders.set(i, h.isLease() ? h.withLease(expires, length.toMillis()) : h.withHeartbeat(now));
                LockFiles.rewrite(lockFile, s, s.content().withHolders(holders, now));
                Instant acquired = LockFileContent.parse(h.acquiredAt()).orElse(now);
                Grant view = new Grant(engine, resource, owner, s.content().effectiveType(),
                        h.fencingToken() == null ? 0 : h.fencingToken(), acquired, h.isLease() ? length : null, 0);
                view.expiresAt(h.isLease() ? Optional.of(expires) : Optional.empty());
                return view;
            }
            return null;
        });
        if (renewed == null) {
            throw new LockLostException("the lock is not held by that lock id");
        }
        return renewed;
    }

    /**
     * Releases lease {@code lockId}. {@code false} when it holds nothing: released, taken over, or ended (an ended
     * lease found here is removed all the same).
     */
    boolean releaseLease(Path resource, String lockId) throws IOException {
        Path lockFile = LockPaths.lock(resource);
        boolean maybe = Files.exists(lockFile);
        return FenceFiles.withGuard(resource, maybe, Boolean.FALSE, guard -> {
            Instant now = engine.settings().clock().instant();
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            if (s == null || s.content() == null || s.content().planOnly() || s.content().parked()) {
                return false;
            }
            List<LockFileContent.Holder> remaining = new ArrayList<>();
            LockFileContent.Holder mine = null;
            for (LockFileContent.Holder h : s.content().holders()) {
                if (lockId.equals(h.owner())) {
                    mine = h;
                } else {
                    remaining.add(h);
                }
            }
            if (mine == null) {
                return false;
            }
            boolean ended = engine.judge().isStale(lockFile.toString(), mine, s.fingerprint());
            if (!ended && mine.isLease()) {
                // a lease may be released from any process, so its hold time is reported here, not by a Grant
                Instant acquired = LockFileContent.parse(mine.acquiredAt()).orElse(now);
                engine.events().released(Duration.between(acquired, now).toNanos());
            }
            if (remaining.isEmpty()) {
                LockFiles.delete(lockFile);
            } else {
                LockFiles.replace(lockFile, LockFiles.bytes(s.content().withHolders(remaining, now)));
            }
            if (ended) {
                engine.countBroken(List.of(mine));
            }
            return !ended;
        });
    }

    /** Removes the lock file whoever holds it (not a parked one); whether a live holder held it. */
    boolean forceRelease(Path resource) throws IOException {
        Path lockFile = LockPaths.lock(resource);
        if (!Files.exists(lockFile)) {
            return false;
        }
        return FenceFiles.withGuard(resource, true, Boolean.FALSE, guard -> {
            LockFiles.Snapshot s = LockFiles.read(lockFile);
            if (s == null || s.content() != null && s.content().parked() && !s.content().planOnly()) {
                return false;
            }
            LockDecision.Evaluation ev = engine.evaluate(lockFile, s);
            boolean live = s.content() == null ? !ev.unreadableStale() : !ev.live().isEmpty();
            return LockFiles.breakAside(lockFile, s) && live;
        });
    }
}
