package io.hasp.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;
import io.quarkus.runtime.StartupEvent;

/**
 * The data directory ({@code hasp.data-dir}) as one normalized absolute path, created at start-up when missing.
 *
 * <p>At start-up, on the main thread before the HTTP server takes requests:
 * <ol>
 *   <li>create the directory and its missing parents;</li>
 *   <li>on success, report start-up recovery finished to {@link StartupRecoveryCheck} (recovery steps that other
 *       features add run before this point and call {@link StartupRecoveryCheck#markRecovered()} themselves once
 *       they own it);</li>
 *   <li>on failure, log it with the path and leave the start-up probe DOWN, so an orchestrator restarts the
 *       instance instead of sending it traffic it cannot store.</li>
 * </ol>
 */
@ApplicationScoped
public class DataDirectory {

    private static final Logger LOG = Logger.getLogger(DataDirectory.class);

    private final Path path;
    private final StartupRecoveryCheck recovery;

    @Inject
    public DataDirectory(HaspConfig config, StartupRecoveryCheck recovery) {
        this(config.dataDir(), recovery);
    }

    DataDirectory(Path configured, StartupRecoveryCheck recovery) {
        this.path = configured.toAbsolutePath().normalize();
        this.recovery = recovery;
    }

    /** The data directory, absolute and normalized. It may be missing if someone removed it after start-up. */
    public Path path() {
        return path;
    }

    void onStart(@Observes StartupEvent event) {
        createAndMarkRecovered();
    }

    /** Steps 1 to 3 of the class contract; returns whether the directory is there. */
    boolean createAndMarkRecovered() {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            LOG.errorf("Cannot create the data directory %s: %s; start-up probe stays DOWN", path, e);
            return false;
        }
        LOG.infof("Data directory: %s", path);
        recovery.markRecovered();
        return true;
    }
}
