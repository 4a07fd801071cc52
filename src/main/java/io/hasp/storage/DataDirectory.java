package io.hasp.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;

/**
 * The data directory ({@code hasp.data-dir}) as one normalized absolute path, and the one place that says where a
 * file of the file backend lives in it: record {@code id} of kind {@code K} is {@code K/<id>.json}, the one record of
 * a singleton kind is {@code K.json} ({@link #recordFile}), and other files (the admin token) sit at the top
 * ({@link #file}). {@code io.hasp.ops.StartupRecovery} creates it at start-up when missing.
 */
@ApplicationScoped
public class DataDirectory {

    /**
     * Suffix of record files; listings consider nothing else (not {@code .lock}, not journals), and no
     * {@link io.hasp.lock.InternalFiles internal file} (temp files, fence files), which all start with a dot.
     */
    public static final String RECORD_SUFFIX = ".json";

    private static final Logger LOG = Logger.getLogger(DataDirectory.class);

    private final Path path;

    @Inject
    public DataDirectory(HaspConfig config) {
        this(config.dataDir());
    }

    /** The data directory at {@code configured}, for tests without CDI. */
    public DataDirectory(Path configured) {
        this.path = configured.toAbsolutePath().normalize();
    }

    /** The data directory, absolute and normalized. It may be missing if someone removed it after start-up. */
    public Path path() {
        return path;
    }

    /** The file {@code name} at the top of the data directory ({@code admin.token}). */
    public Path file(String name) {
        return path.resolve(name);
    }

    /** The directory of the records of {@code kind} (a kind with ids). */
    public Path recordDir(RecordKind<?> kind) {
        return path.resolve(kind.name());
    }

    /** The file of record {@code id}; refuses an unsafe id (or another id than a singleton's) before any I/O. */
    public Path recordFile(RecordKind<?> kind, String id) {
        if (kind.singleton()) {
            if (!kind.singletonId().equals(id)) {
                throw new IllegalArgumentException(kind.name() + " has one record, " + kind.singletonId());
            }
            return path.resolve(kind.name() + RECORD_SUFFIX);
        }
        return SafeNames.resolve(recordDir(kind), kind.label() + " id", id, RECORD_SUFFIX);
    }

    /**
     * The kind's name a file of the data directory belongs to, by its first name inside the directory
     * ({@code queues}, {@code tokens}, {@code file-changes}); {@code other} for a file outside it.
     */
    public String kindOf(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(path) || absolute.equals(path)) {
            return "other";
        }
        String first = path.relativize(absolute).getName(0).toString();
        return first.endsWith(RECORD_SUFFIX) ? first.substring(0, first.length() - RECORD_SUFFIX.length()) : first;
    }

    /** Creates the directory and its missing parents; returns whether it is there. Logs a failure with the path. */
    public boolean create() {
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
