package io.hasp.ops;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;
import io.hasp.lease.LockBackend;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.SweepReport;
import io.hasp.queue.QueueRepository;
import io.hasp.storage.OrphanTempSweeper;
import io.hasp.transfer.ImportRecovery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The one scheduled clean-up job, every {@code hasp.sweep.interval} ({@code off} disables it). A run that would
 * overlap the previous one is skipped. One run:
 * <ol>
 *   <li>sweeps lock files under the data directory ({@link LockFileEngine#sweep}): lock files whose holders are all
 *       stale are broken, stale holders of shared locks pruned, ended leases removed. Every decision is taken under
 *       the resource's kernel-locked fence guard, so several replicas sweeping one directory at once cannot remove a
 *       live lock, nor both remove the same stale one;</li>
 *   <li>removes orphaned temp files ({@link OrphanTempSweeper}), which judges them by age and by their target's
 *       lock;</li>
 *   <li>returns expired queue claims to {@code pending} ({@link QueueRepository#releaseExpiredClaims()}), each
 *       queue under its own lock, so a second replica sweeping at once finds nothing left to do;</li>
 *   <li>rolls back imports whose process died while writing ({@link ImportRecovery}: intents silent for longer than
 *       {@code hasp.import.stale-after}; one replica takes each);</li>
 *   <li>counts the live holders of named locks for the {@code hasp.locks.holders} gauge.</li>
 * </ol>
 * The blocking parts run on the worker pool, never on the scheduler's event loop. What a run did goes to the
 * {@code hasp.sweeper.*} meters and, when it removed anything, to the log at debug level.
 */
@ApplicationScoped
public class Sweeper {

    private static final Logger LOG = Logger.getLogger(Sweeper.class);

    private final HaspConfig config;
    private final LockFileEngine engine;
    private final OrphanTempSweeper temps;
    private final LockBackend namedLocks;
    private final LockMetrics lockMetrics;
    private final QueueRepository queues;
    private final ImportRecovery imports;
    private final Timer duration;
    private final Counter runsOk;
    private final Counter runsFailed;
    private final Counter staleLocks;
    private final Counter staleHolders;
    private final Counter expiredLeases;
    private final Counter orphanTemps;
    private final Counter expiredClaims;
    private final Counter busySkipped;
    private final AtomicReference<Outcome> last = new AtomicReference<>();

    /**
     * What one finished run did; the last one is kept for tests and for operators (the console shows it).
     *
     * @param finishedAt when the run finished, on this replica's clock
     */
    public record Outcome(SweepReport locks, int tempFilesRemoved, int claimsReleased, int namedHolders,
                          Instant finishedAt) {
    }

    /** The file steps of a run, before the queue and lock-count steps. */
    private record FileSteps(SweepReport locks, int tempFilesRemoved) {
    }

    @Inject
    public Sweeper(HaspConfig config, LockFileEngine engine, OrphanTempSweeper temps, LockBackend namedLocks,
                   LockMetrics lockMetrics, QueueRepository queues, ImportRecovery imports, MeterRegistry registry) {
        this.config = config;
        this.engine = engine;
        this.temps = temps;
        this.namedLocks = namedLocks;
        this.lockMetrics = lockMetrics;
        this.queues = queues;
        this.imports = imports;
        duration = Timer.builder("hasp.sweeper.duration").description("Duration of sweeper runs").register(registry);
        runsOk = runs(registry, "ok");
        runsFailed = runs(registry, "failed");
        staleLocks = removed(registry, "stale-lock");
        staleHolders = removed(registry, "stale-holder");
        expiredLeases = removed(registry, "expired-lease");
        orphanTemps = removed(registry, "orphan-temp");
        expiredClaims = removed(registry, "expired-claim");
        busySkipped = Counter.builder("hasp.sweeper.busy.skipped")
                .description("Lock files skipped because another process was changing them; retried next run")
                .register(registry);
    }

    private static Counter runs(MeterRegistry registry, String outcome) {
        return Counter.builder("hasp.sweeper.runs").tag("outcome", outcome)
                .description("Finished sweeper runs, by outcome").register(registry);
    }

    private static Counter removed(MeterRegistry registry, String kind) {
        return Counter.builder("hasp.sweeper.removed").tag("kind", kind)
                .description("What sweeper runs removed, by kind").register(registry);
    }

    @Scheduled(identity = "hasp-sweeper", every = "${hasp.sweep.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return sweep().replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** One run; fails only when a step failed (already counted and logged). */
    public Uni<Outcome> sweep() {
        long start = System.nanoTime();
        Path root = config.dataDir();
        return Uni.createFrom().item(() -> {
            SweepReport locks = engine.sweep(root);
            int tempFiles = temps.sweep(root);
            return new FileSteps(locks, tempFiles);
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(files -> queues.releaseExpiredClaims().call(imports::recoverStale)
                        .chain(claims -> namedLocks.countHolders()
                                .map(count -> new Outcome(files.locks(), files.tempFilesRemoved(), claims, count,
                                        Instant.now()))))
                .invoke(outcome -> {
                    duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    runsOk.increment();
                    record(outcome);
                })
                .onFailure().invoke(f -> {
                    duration.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                    runsFailed.increment();
                    LOG.warnf("sweep failed, retrying next interval: %s", f.toString());
                });
    }

    private void record(Outcome o) {
        SweepReport r = o.locks();
        staleLocks.increment(r.staleLocksBroken());
        staleHolders.increment(r.holdersPruned());
        expiredLeases.increment(r.leasesExpired());
        orphanTemps.increment(o.tempFilesRemoved());
        expiredClaims.increment(o.claimsReleased());
        busySkipped.increment(r.busySkipped());
        lockMetrics.namedHolders(o.namedHolders());
        last.set(o);
        if (r.staleLocksBroken() + r.holdersPruned() + o.tempFilesRemoved() + o.claimsReleased() > 0) {
            LOG.debugf("sweep removed %d stale lock file(s), %d stale holder(s) (%d expired lease(s)), "
                    + "%d orphaned temp file(s), released %d expired claim(s); %d lock file(s) scanned, %d busy",
                    r.staleLocksBroken(), r.holdersPruned(), r.leasesExpired(), o.tempFilesRemoved(),
                    o.claimsReleased(), r.lockFilesScanned(), r.busySkipped());
        }
    }

    /** The last finished run, or {@code null} before the first. */
    public Outcome last() {
        return last.get();
    }
}
