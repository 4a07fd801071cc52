package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@link LocalLock}s of one engine, by resource: created when a waiter first asks for a resource, kept while the
 * resource is used (a resource used over and over keeps its queue and open fence file between uses), retired by the
 * heartbeat pass once idle. Also routes the {@link Doorbell}'s notifications to the resource they concern.
 */
final class LocalLocks {

    private final LockFileEngine engine;
    private final ConcurrentHashMap<Path, LocalLock> all = new ConcurrentHashMap<>();

    LocalLocks(LockFileEngine engine) {
        this.engine = engine;
    }

    LocalLock get(Path resource) {
        return all.get(resource);
    }

    Collection<LocalLock> all() {
        return List.copyOf(all.values());
    }

    /** Puts {@code w} in the queue of its resource, creating it (opening its fence file) when needed. */
    LocalLock enqueue(Waiter w) {
        while (true) {
            LocalLock local = all.computeIfAbsent(w.resource, r -> {
                try {
                    return new LocalLock(engine, r);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            synchronized (local) {
                if (!local.retired) {
                    local.enqueue(w);
                    w.local = local;
                    return local;
                }
            }
        }
    }

    /** Retires {@code local} if nothing uses it (no waiter, no hold, no turn). */
    void maybeRetire(LocalLock local) {
        synchronized (local) {
            if (local.retired || !local.idle()) {
                return;
            }
            local.retired = true;
            all.remove(local.resource, local);
        }
        local.close();
    }

    /** Whether this engine's process holds the lock file {@code lockFile} (its entry there is live). */
    boolean holdsFile(Path lockFile) {
        LocalLock local = all.get(LockPaths.resourceOfLock(lockFile));
        return local != null && local.holdsFile();
    }

    int grants() {
        return all.values().stream().mapToInt(LocalLock::grants).sum();
    }

    int waiting() {
        return all.values().stream().mapToInt(LocalLock::waiting).sum();
    }

    /** The heartbeat pass: every hold beats; locals idle since the previous pass are retired. */
    void beatAll() {
        for (LocalLock local : all.values()) {
            local.beat();
            if (local.idleSinceLastLook()) {
                maybeRetire(local);
            }
        }
    }

    /** A file of {@code dir} changed ({@code null}: maybe any): wake whoever waits for it. */
    void rang(Path dir, String fileName) {
        if (fileName == null) {
            all.values().stream().filter(l -> dir.equals(l.resource.getParent())).forEach(l -> {
                l.ringLock();
                l.ringFence();
            });
            return;
        }
        if (fileName.endsWith(LockPaths.LOCK_SUFFIX)) {
            ringLock(LockPaths.resourceOfLock(dir.resolve(fileName)));
            return;
        }
        String fenced = LockPaths.resourceOfFence(fileName);
        if (fenced != null) {
            LocalLock local = all.get(dir.resolve(fenced));
            if (local != null) {
                local.ringFence();
            }
        }
    }

    /** The lock file of {@code resource} changed: its first local waiter looks again. */
    void ringLock(Path resource) {
        LocalLock local = all.get(resource);
        if (local != null) {
            local.ringLock();
        }
    }
}
