package io.hasp.lock;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

import org.jboss.logging.Logger;

/**
 * Tells the engine when a file in a watched directory changes, through the kernel's file notifications (inotify on
 * Linux, via {@link WatchService}): a lock file removed or rewritten by any process on this host wakes this JVM's
 * waiter for it at once, and a fence file written (another process drew a ticket) tells a holder that someone waits.
 * Waiters also keep a timer, for changes made where notifications do not reach (another host on a shared volume).
 *
 * <p>One watch per directory, registered when first needed; one daemon thread dispatches the events. An overflow
 * (the kernel dropped events) rings for every file of the directory.
 */
final class Doorbell implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(Doorbell.class);

    private final WatchService watcher;
    private final Map<Path, WatchKey> watched = new ConcurrentHashMap<>();
    private final BiConsumer<Path, String> ring;
    private final Thread thread;

    /** {@code ring} gets the directory and the changed file's name ({@code null}: anything may have changed). */
    Doorbell(BiConsumer<Path, String> ring) {
        this.ring = ring;
        WatchService w;
        try {
            w = FileSystems.getDefault().newWatchService();
        } catch (IOException | UnsupportedOperationException e) {
            LOG.warnf("no file notifications (%s): waiters for other processes fall back to polling", e.toString());
            w = null;
        }
        this.watcher = w;
        this.thread = new Thread(this::dispatch, "hasp-lock-doorbell");
        thread.setDaemon(true);
        if (watcher != null) {
            thread.start();
        }
    }

    /** Watches {@code directory} (idempotent); whether notifications will come from it. */
    boolean watch(Path directory) {
        if (watcher == null) {
            return false;
        }
        WatchKey key = watched.get(directory);
        if (key != null && key.isValid()) {
            return true;
        }
        try {
            key = directory.register(watcher, StandardWatchEventKinds.ENTRY_CREATE,
                    StandardWatchEventKinds.ENTRY_DELETE, StandardWatchEventKinds.ENTRY_MODIFY);
            watched.put(directory, key);
            return true;
        } catch (IOException | RuntimeException e) {
            LOG.debugf("cannot watch a lock directory: %s", e.toString());
            return false;
        }
    }

    private void dispatch() {
        while (true) {
            WatchKey key;
            try {
                key = watcher.take();
            } catch (InterruptedException | ClosedWatchServiceException e) {
                return;
            }
            Path dir = (Path) key.watchable();
            for (WatchEvent<?> event : key.pollEvents()) {
                try {
                    if (event.kind() == StandardWatchEventKinds.OVERFLOW) {
                        ring.accept(dir, null);
                    } else {
                        ring.accept(dir, ((Path) event.context()).getFileName().toString());
                    }
                } catch (RuntimeException e) {
                    LOG.debugf("a lock notification failed: %s", e.toString());
                }
            }
            if (!key.reset()) {
                watched.remove(dir, key);
                ring.accept(dir, null);
            }
        }
    }

    @Override
    public void close() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (IOException e) {
                LOG.debugf("closing the watcher failed: %s", e.toString());
            }
        }
    }
}
