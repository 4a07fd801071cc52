package io.hasp.storage;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.lock.FileLockService;
import io.hasp.lock.InternalFiles;

/**
 * Removes temp files ({@code .F.tmp.<random>}, {@link InternalFiles#isTemp}) that a crashed writer left behind. It
 * looks at nothing else: a record or lock file never starts with a dot, so none can be taken for a temp file,
 * whatever its id ({@code a.tmp.b} included). A temp file is an orphan when
 * <ol>
 *   <li>it is older than {@link #MIN_AGE} (a write in progress is much younger), and</li>
 *   <li>its target {@code F} has no live lock holder: every writer holds {@code F}'s lock while its temp file
 *       exists, so a temp file without a held lock belongs to nobody.</li>
 * </ol>
 * {@link #sweep(Path)} is blocking; it runs at start-up ({@code StartupRecovery}) and in the scheduled sweeper.
 */
@ApplicationScoped
public class OrphanTempSweeper {

    /** Temp files younger than this are left alone, whatever the lock says. */
    public static final Duration MIN_AGE = Duration.ofMinutes(1);

    private static final Logger LOG = Logger.getLogger(OrphanTempSweeper.class);
    private static final Duration LOCK_CHECK_TIMEOUT = Duration.ofSeconds(10);

    private final FileLockService locks;
    private final Clock clock;

    @Inject
    public OrphanTempSweeper(FileLockService locks, Clock clock) {
        this.locks = locks;
        this.clock = clock;
    }

    /**
     * Removes every orphaned temp file under {@code root} (recursively) and answers how many were removed. Blocks:
     * call it from a worker thread or at start-up.
     */
    public int sweep(Path root) {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        Instant cutoff = clock.instant().minus(MIN_AGE);
        int[] removed = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    if (attrs.isRegularFile() && isOrphan(file, attrs, cutoff)) {
                        try {
                            if (Files.deleteIfExists(file)) {
                                removed[0]++;
                            }
                        } catch (IOException e) {
                            LOG.warnf("cannot remove orphaned temp file %s: %s", file.getFileName(), e);
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // A file removed (or made unreadable) while we walk is not ours to judge; keep walking.
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.warnf("temp file sweep of the data directory stopped early: %s", e.toString());
        }
        return removed[0];
    }

    private boolean isOrphan(Path file, BasicFileAttributes attrs, Instant cutoff) {
        Optional<Path> temp = InternalFiles.tempTarget(file);
        if (temp.isEmpty() || !attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
            return false;
        }
        Path target = temp.get();
        try {
            return !Boolean.TRUE.equals(locks.isLocked(target).await().atMost(LOCK_CHECK_TIMEOUT));
        } catch (RuntimeException e) {
            // When the lock state cannot be read, the file might be a live writer's: keep it.
            LOG.warnf("cannot tell whether %s is locked, keeping its temp file: %s", target.getFileName(), e);
            return false;
        }
    }
}
