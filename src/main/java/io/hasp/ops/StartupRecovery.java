package io.hasp.ops;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.lock.LockFileEngine;
import io.hasp.lock.SweepReport;
import io.hasp.storage.DataDirectory;
import io.hasp.storage.OrphanTempSweeper;
import io.quarkus.runtime.StartupEvent;

/**
 * What a start after a crash must clean up before the instance takes traffic, in this order, on the main thread
 * before the HTTP server opens:
 * <ol>
 *   <li>create the data directory when missing (on failure the start-up probe stays DOWN, so an orchestrator
 *       restarts the instance instead of sending it traffic it cannot store);</li>
 *   <li>break lock files left by dead processes and ended leases ({@link LockFileEngine#sweep});</li>
 *   <li>remove temp files orphaned by a crash that no live lock covers ({@link OrphanTempSweeper});</li>
 *   <li>report start-up recovery finished to {@link StartupRecoveryCheck}.</li>
 * </ol>
 * Locks first: a temp file whose writer died is covered by that writer's stale lock until the lock is broken.
 */
@ApplicationScoped
public class StartupRecovery {

    private static final Logger LOG = Logger.getLogger(StartupRecovery.class);

    private final DataDirectory dataDir;
    private final LockFileEngine engine;
    private final OrphanTempSweeper temps;
    private final StartupRecoveryCheck check;

    @Inject
    public StartupRecovery(DataDirectory dataDir, LockFileEngine engine, OrphanTempSweeper temps,
                           StartupRecoveryCheck check) {
        this.dataDir = dataDir;
        this.engine = engine;
        this.temps = temps;
        this.check = check;
    }

    void onStart(@Observes StartupEvent event) {
        recover();
    }

    /** Steps 1 to 4; returns whether recovery finished. */
    boolean recover() {
        if (!dataDir.create()) {
            return false;
        }
        SweepReport locks = engine.sweep(dataDir.path());
        int removedTemps = temps.sweep(dataDir.path());
        if (locks.staleLocksBroken() + locks.holdersPruned() + removedTemps > 0) {
            LOG.infof("start-up recovery: %d stale lock file(s) broken, %d stale holder(s) pruned, "
                    + "%d orphaned temp file(s) removed", locks.staleLocksBroken(), locks.holdersPruned(),
                    removedTemps);
        }
        check.markRecovered();
        return true;
    }
}
