package io.hasp.ops;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;

/**
 * The data directory ({@code hasp.data-dir}) as one normalized absolute path. {@link StartupRecovery} creates it at
 * start-up when missing.
 */
@ApplicationScoped
public class DataDirectory {

    private static final Logger LOG = Logger.getLogger(DataDirectory.class);

    private final Path path;

    @Inject
    public DataDirectory(HaspConfig config) {
        this(config.dataDir());
    }

    DataDirectory(Path configured) {
        this.path = configured.toAbsolutePath().normalize();
    }

    /** The data directory, absolute and normalized. It may be missing if someone removed it after start-up. */
    public Path path() {
        return path;
    }

    /** Creates the directory and its missing parents; returns whether it is there. Logs a failure with the path. */
    boolean create() {
        try {
            Files.createDirectories(path);
        } catch (IOException e) {
            LOG.errorf("Cannot create the data directory %s: %s; start-up probe stays DOWN", path, e);
            return false;
        }
        LOG.infof("Data directory: %s", path);
        return true;
    }
}
