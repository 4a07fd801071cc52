package io.hasp.console;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.lock.SweepReport;
import io.hasp.ops.Sweeper;

/**
 * The last finished run of this replica's sweeper ({@link Sweeper#last()}) and what it removed.
 *
 * @param staleLocksRemoved     lock files removed because every holder was stale (expired leases included)
 * @param staleHoldersRemoved   stale holders pruned from shared locks that kept live holders
 * @param expiredLeasesRemoved  of the two above, leases that ended unrenewed
 * @param tempFilesRemoved      orphaned temp files of interrupted writes
 * @param claimsReleased        expired queue claims returned to pending
 * @param lockFilesScanned      lock files looked at
 * @param busySkipped           lock files skipped because another process was changing them
 * @param namedHolders          live holders of named locks counted at the end of the run
 */
@Schema(name = "SweeperRun")
public record SweeperRun(Instant finishedAt, int staleLocksRemoved, int staleHoldersRemoved,
                         int expiredLeasesRemoved, int tempFilesRemoved, int claimsReleased, int lockFilesScanned,
                         int busySkipped, int namedHolders) {

    static SweeperRun of(Sweeper.Outcome o) {
        SweepReport r = o.locks();
        return new SweeperRun(o.finishedAt(), r.staleLocksBroken(), r.holdersPruned(), r.leasesExpired(),
                o.tempFilesRemoved(), o.claimsReleased(), r.lockFilesScanned(), r.busySkipped(), o.namedHolders());
    }
}
