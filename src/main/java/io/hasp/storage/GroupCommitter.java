package io.hasp.storage;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.hasp.lock.FileLockService;
import io.hasp.lock.LockException;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockResult;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Group commit of the changes of one record in this JVM: concurrent changes are applied in order to one copy during
 * one hold of the record's lock and made durable by one write and one fsync.
 *
 * <ol>
 *   <li>A change joins the pending list; if no hold is going on, one starts: the record's exclusive lock is
 *       acquired (waiting as the lock options say, holding no thread).</li>
 *   <li>While held, pending changes are taken in batches (at most {@code batchMax} changes and
 *       {@code batchMaxBytes} request bytes), on a worker thread: the record is loaded ({@link RecordFile#load}, no
 *       I/O when unchanged), each change checks its expected version and applies to the result of the previous one.
 *       A change that fails its own check fails alone; its batch-mates go on.</li>
 *   <li>The batch's result is written once (a journal entry or the whole record) while the lock is verifiably
 *       held ({@link LockHandle#whileHeld}); only then is each caller answered. A write that fails, or finds the
 *       lock lost, fails every change of the batch and writes nothing.</li>
 *   <li>When nothing is pending the hold lingers ({@code linger}) for the next change, unless someone else
 *       wants the record ({@link LockHandle#contended}); a contended hold ends after its batch, so replicas take
 *       turns batch by batch.</li>
 *   <li>The hold ends by a release, or, while the record's journal is not folded into its file, by parking the
 *       lock: other replicas take it over at once, tools that know only the plan keep out. A parked record is
 *       folded after {@code compactAfterIdle} of quiet.</li>
 * </ol>
 * Changes run to their end whatever happens to their callers: a caller that went away is simply not answered.
 */
final class GroupCommitter<T extends Versioned<T>> {

    private static final Logger LOG = Logger.getLogger(GroupCommitter.class);

    final RecordFile<T> record;
    private final FileLockService locks;
    private final LockOptions options;
    private final RecordSettings settings;
    private final Batch.Versions versions;
    private final ArrayDeque<Batch.Change<T, ?>> pending = new ArrayDeque<>();
    private boolean running;
    private boolean compactPending;
    private UniEmitter<? super Object> arrival;

    GroupCommitter(RecordFile<T> record, FileLockService locks, LockOptions options, RecordSettings settings,
                   Batch.Versions versions) {
        this.record = record;
        this.locks = locks;
        this.options = options;
        this.settings = settings;
        this.versions = versions;
    }

    /** Whether a hold is going on or changes wait: an idle committer may be dropped from a cache. */
    synchronized boolean busy() {
        return running || !pending.isEmpty();
    }

    /** Applies {@code change} under the record's lock and answers once it is durable. */
    <R> Uni<R> submit(OptionalLong expected, long weight, Function<Optional<T>, Modification<T, R>> change) {
        return Uni.createFrom().emitter(caller -> {
            boolean start;
            UniEmitter<? super Object> wake;
            synchronized (this) {
                pending.addLast(new Batch.Change<>(expected, weight, change, caller));
                start = !running;
                running = true;
                wake = arrival;
                arrival = null;
            }
            if (wake != null) {
                wake.complete(Boolean.TRUE);
            }
            if (start) {
                acquire();
            }
        });
    }

    private void acquire() {
        locks.acquire(record.file, options).subscribe().with(result -> {
            if (result instanceof LockResult.Acquired acquired) {
                hold(acquired.handle());
            } else {
                failPending(new LockException((LockResult.Failed) result));
                afterHold(false);
            }
        }, failure -> {
            failPending(failure);
            afterHold(false);
        });
    }

    private void hold(LockHandle handle) {
        AtomicBoolean contended = new AtomicBoolean();
        Cancellable watch = handle.contended().subscribe().with(x -> {
            contended.set(true);
            UniEmitter<? super Object> wake;
            synchronized (this) {
                wake = arrival;
                arrival = null;
            }
            if (wake != null) {
                wake.complete(Boolean.TRUE);
            }
        }, f -> contended.set(true));
        next(handle, contended, watch);
    }

    private void next(LockHandle handle, AtomicBoolean contended, Cancellable watch) {
        List<Batch.Change<T, ?>> batch = takeBatch();
        if (batch.isEmpty()) {
            linger(handle, contended, watch);
            return;
        }
        Uni.createFrom().item(() -> commit(handle, batch))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .subscribe().with(ok -> {
                    if (contended.get() || !handle.isHeld()) {
                        endHold(handle, watch);
                    } else {
                        next(handle, contended, watch);
                    }
                }, failure -> {
                    LOG.warnf("a batch of %s failed: %s", record.file.getFileName(), failure.toString());
                    endHold(handle, watch);
                });
    }

    private void linger(LockHandle handle, AtomicBoolean contended, Cancellable watch) {
        if (contended.get() || settings.linger().isZero()) {
            endHold(handle, watch);
            return;
        }
        Uni<Object> arrived = Uni.createFrom().emitter(em -> {
            boolean now;
            synchronized (this) {
                now = !pending.isEmpty() || contended.get();
                if (!now) {
                    arrival = em;
                }
            }
            if (now) {
                em.complete(Boolean.TRUE);
            }
        });
        Uni<Object> quiet = Uni.createFrom().item((Object) Boolean.FALSE).onItem().delayIt().by(settings.linger());
        Uni.combine().any().of(arrived, quiet).subscribe().with(x -> {
            boolean go;
            synchronized (this) {
                arrival = null;
                go = !pending.isEmpty() && !contended.get();
            }
            if (go) {
                next(handle, contended, watch);
            } else {
                endHold(handle, watch);
            }
        });
    }

    private void endHold(LockHandle handle, Cancellable watch) {
        watch.cancel();
        boolean park = record.hasJournal();
        (park ? handle.park() : handle.release()).subscribe().with(x -> afterHold(park), f -> {
            LOG.warnf("ending the hold of %s failed: %s", record.file.getFileName(), f.toString());
            afterHold(park);
        });
    }

    private void afterHold(boolean parked) {
        boolean again;
        synchronized (this) {
            again = !pending.isEmpty();
            running = again;
        }
        if (again) {
            acquire();
        } else if (parked) {
            scheduleCompaction();
        }
    }

    private void scheduleCompaction() {
        Uni.createFrom().voidItem().onItem().delayIt().by(settings.compactAfterIdle()).subscribe().with(x -> {
            synchronized (this) {
                if (running || !record.hasJournal()) {
                    return;
                }
                compactPending = true;
            }
            submit(OptionalLong.empty(), 0, current -> Modification.unchanged(null))
                    .subscribe().with(y -> { }, f -> LOG.debugf("folding %s failed: %s", record.file.getFileName(),
                            f.toString()));
        });
    }

    private List<Batch.Change<T, ?>> takeBatch() {
        List<Batch.Change<T, ?>> batch = new ArrayList<>();
        long bytes = 0;
        synchronized (this) {
            while (!pending.isEmpty() && batch.size() < settings.batchMax()) {
                Batch.Change<T, ?> p = pending.peekFirst();
                if (!batch.isEmpty() && bytes + p.weight() > settings.batchMaxBytes()) {
                    break;
                }
                bytes += p.weight();
                batch.add(pending.pollFirst());
            }
        }
        return batch;
    }

    /** One batch, on a worker thread, under the lock: apply each change, write once, answer each caller. */
    private boolean commit(LockHandle handle, List<Batch.Change<T, ?>> batch) {
        Batch.Outcome<T> outcome;
        try {
            outcome = Batch.apply(record.load().orElse(null), batch, versions);
        } catch (RuntimeException e) {
            record.forget();
            batch.forEach(c -> c.caller().fail(e));
            return true;
        }
        try {
            boolean fold;
            synchronized (this) {
                fold = compactPending;
                compactPending = false;
            }
            if (outcome.changed() || fold) {
                T before = outcome.before();
                T stored = outcome.after();
                boolean write = outcome.changed();
                long start = System.nanoTime();
                handle.whileHeld(() -> {
                    if (write) {
                        record.commit(before, stored);
                    } else {
                        record.load();
                        compactQuietly();
                    }
                    return null;
                });
                RecordWrites.installed().written(record.file, batch.size(), System.nanoTime() - start);
            }
        } catch (RuntimeException e) {
            record.forget();
            outcome.failAll(e);
        }
        outcome.answer(batch);
        return true;
    }

    private void compactQuietly() {
        try {
            record.compact();
        } catch (java.io.IOException e) {
            throw new StorageException("folding the journal failed: " + e.getClass().getSimpleName(), e);
        }
    }

    private void failPending(Throwable failure) {
        List<Batch.Change<T, ?>> failed;
        synchronized (this) {
            failed = new ArrayList<>(pending);
            pending.clear();
        }
        failed.forEach(p -> p.caller().fail(failure));
    }
}
