package io.hasp.lock;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A resource's fence file as one {@link LocalLock} uses it: taken from {@link FenceFiles} for as long as the local
 * lives, and reopened when another process removed it meanwhile (its tombstone is seen under the guard). Used under
 * the monitor of its {@link LocalLock}.
 */
final class FenceRef {

    private final Path resource;
    private FenceFile file;

    FenceRef(Path resource) throws IOException {
        this.resource = resource;
        this.file = FenceFiles.take(resource, true);
    }

    FenceFile file() {
        return file;
    }

    /** The guard, reopening the fence file if it was removed meanwhile; {@code null} when another keeps it. */
    FenceFile.Guard guard() throws IOException {
        while (true) {
            FenceFile.Guard g = file.guard();
            if (g != FenceFile.Guard.GONE) {
                return g;
            }
            FenceFile old = file;
            file = FenceFiles.take(resource, true);
            FenceFiles.forget(old);
            FenceFiles.put(old);
        }
    }

    /** The guard for work that must happen (a release): waits as long as it takes, a minute at most. */
    FenceFile.Guard guardPatiently() throws IOException {
        long until = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (System.nanoTime() - until < 0) {
            FenceFile.Guard g = guard();
            if (g != null) {
                return g;
            }
        }
        throw new IOException("the guard of " + resource.getFileName() + " stayed busy for a minute");
    }

    /** Gives the fence file back to the registry. */
    void close() {
        FenceFiles.put(file);
    }
}
