package io.hasp.lease;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;

import io.hasp.etcd.EtcdClient;
import io.hasp.etcd.KeyRanges;
import io.hasp.etcd.api.Event;
import io.hasp.etcd.api.WatchCreateRequest;
import io.hasp.etcd.api.WatchResponse;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * One etcd watch per lock name that has waiters in this process, for deletions under the name's keys, shared by its
 * waiters and kept open while they come and go. Each waiter waits for the deletion of one key, the one just before it
 * in the name's queue ({@link EtcdQueue}), and is woken by that deletion only: a release wakes one waiter (or the
 * readers queued behind one writer), not all of them. A watch created from a revision already passed is served by
 * etcd's catch-up loop, which runs every 100 ms; a watch that stays open is served as soon as a deletion is applied.
 * So the watch is shared, and created from the revision the first waiter read plus one.
 *
 * <p>A waiter that read the name at revision {@code r} must learn of its key's deletion if it comes after {@code r}.
 * The watch remembers the last revision it has covered: when that is already past {@code r} (a deletion came between
 * the waiter's read and its registration, or the watch started after {@code r}), the waiter is answered at once, so
 * that it reads again; otherwise it is answered by the deletion of its key. A watch that ends (compacted start
 * revision, stream broken, member down) answers all its waiters, which read again, and the next one opens a new watch.
 * A watch without waiters for {@value #LINGER_SECONDS} s is closed. Every answer is a reason to read, never a grant.
 */
final class NameWatches {

    static final long LINGER_SECONDS = 5;
    private static final Logger LOG = Logger.getLogger(NameWatches.class);

    private final EtcdClient etcd;
    private final EtcdKeys keys;
    private final Map<String, NameWatch> watches = new HashMap<>();

    NameWatches(EtcdClient etcd, EtcdKeys keys) {
        this.etcd = etcd;
        this.keys = keys;
    }

    /** A waiter of one watch, for the deletion of {@code key} after {@code afterRevision}. */
    private record Listener(ByteString key, long afterRevision, Runnable wake) {
    }

    private final class NameWatch {
        final String name;
        /** Every deletion up to this revision has been delivered (or happened before the watch's start). */
        long covered;
        final List<Listener> listeners = new ArrayList<>();
        Runnable cancel;
        boolean ended;

        NameWatch(String name, long startRevision) {
            this.name = name;
            this.covered = startRevision - 1;
        }

        void open() {
            WatchCreateRequest create = WatchCreateRequest.newBuilder().setKey(keys.name(name))
                    .setRangeEnd(KeyRanges.prefixEnd(keys.name(name))).setStartRevision(covered + 1)
                    .addFilters(WatchCreateRequest.FilterType.NOPUT).build();
            Runnable c = etcd.watch(create, this::answer, this::end);
            boolean endedMeanwhile;
            synchronized (NameWatches.this) {
                cancel = c;
                endedMeanwhile = ended;
            }
            if (endedMeanwhile) {
                c.run();
            }
        }

        void answer(WatchResponse r) {
            if (r.getCanceled() || r.getCompactRevision() != 0) {
                end(null);
                return;
            }
            long last = 0;
            Map<ByteString, Long> deleted = new HashMap<>();
            for (Event e : r.getEventsList()) {
                last = Math.max(last, e.getKv().getModRevision());
                deleted.put(e.getKv().getKey(), e.getKv().getModRevision());
            }
            if (last == 0) {
                return;
            }
            List<Listener> woken = new ArrayList<>();
            synchronized (NameWatches.this) {
                covered = Math.max(covered, last);
                listeners.removeIf(l -> deleted.getOrDefault(l.key(), 0L) > l.afterRevision() && woken.add(l));
            }
            woken.forEach(l -> l.wake().run());
        }

        void end(Throwable why) {
            List<Listener> woken;
            Runnable c;
            synchronized (NameWatches.this) {
                if (ended) {
                    return;
                }
                ended = true;
                watches.remove(name, this);
                woken = new ArrayList<>(listeners);
                listeners.clear();
                c = cancel;
            }
            if (why != null) {
                LOG.debugf("watch of a lock name ended, its waiters read again: %s", why.toString());
            }
            if (c != null) {
                c.run();
            }
            woken.forEach(l -> l.wake().run());
        }
    }

    /**
     * Completes at the deletion of {@code key} (under {@code name}) after {@code afterRevision}, at once if the watch
     * has already gone past that revision, or when the watch ends: in every case the caller reads again.
     */
    Uni<Void> deletion(String name, ByteString key, long afterRevision) {
        return Uni.createFrom().emitter(emitter -> {
            Listener listener = new Listener(key, afterRevision, () -> emitter.complete(null));
            NameWatch opened = null;
            NameWatch watch;
            synchronized (this) {
                watch = watches.get(name);
                if (watch != null && afterRevision < watch.covered) {
                    watch = null;
                } else {
                    if (watch == null) {
                        watch = new NameWatch(name, afterRevision + 1);
                        watches.put(name, watch);
                        opened = watch;
                    }
                    watch.listeners.add(listener);
                }
            }
            if (watch == null) {
                emitter.complete(null);
                return;
            }
            NameWatch registered = watch;
            emitter.onTermination(() -> leave(registered, listener));
            if (opened != null) {
                opened.open();
            }
        });
    }

    private void leave(NameWatch watch, Listener listener) {
        boolean idle;
        synchronized (this) {
            watch.listeners.remove(listener);
            idle = watch.listeners.isEmpty() && !watch.ended;
        }
        if (idle) {
            Infrastructure.getDefaultWorkerPool().schedule(() -> closeIfIdle(watch), LINGER_SECONDS,
                    TimeUnit.SECONDS);
        }
    }

    private void closeIfIdle(NameWatch watch) {
        boolean idle;
        synchronized (this) {
            idle = watch.listeners.isEmpty() && !watch.ended;
        }
        if (idle) {
            watch.end(null);
        }
    }
}
