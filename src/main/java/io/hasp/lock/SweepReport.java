package io.hasp.lock;

/**
 * What one sweep of lock files did.
 *
 * @param lockFilesScanned lock files looked at
 * @param staleLocksBroken lock files removed because every holder was stale
 * @param holdersPruned    stale holders removed from shared locks that still have live holders
 * @param leasesExpired    lease holders removed because their lease ended (counted in the two above too)
 * @param busySkipped      lock files skipped because another process was changing them
 */
public record SweepReport(int lockFilesScanned, int staleLocksBroken, int holdersPruned, int leasesExpired,
                          int busySkipped) {

    public static final SweepReport EMPTY = new SweepReport(0, 0, 0, 0, 0);

    public SweepReport plus(SweepReport o) {
        return new SweepReport(lockFilesScanned + o.lockFilesScanned, staleLocksBroken + o.staleLocksBroken,
                holdersPruned + o.holdersPruned, leasesExpired + o.leasesExpired, busySkipped + o.busySkipped);
    }
}
