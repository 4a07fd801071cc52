package io.hasp.ops;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import io.hasp.HaspConfig;
import io.hasp.lock.InternalFiles;
import io.hasp.storage.DataDirectory;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Readiness probe ({@code /q/health/ready}) of the data directory. DOWN while the directory is missing (or is not a
 * directory), cannot take an atomic write, or its file system has less usable space than
 * {@code hasp.health.min-free-bytes}. The response data name the failing condition in {@code reason}
 * ({@code missing}, {@code not-writable}, {@code low-free-space}, or {@code free-space-unknown} when the file
 * system cannot tell) and never a server path.
 *
 * <p>Each call, on a worker thread (the probe does blocking I/O and must stay off the event loop):
 * <ol>
 *   <li>check that the data directory exists and is a directory; if not, DOWN {@code missing};</li>
 *   <li>write a probe the way records are written: a uniquely named temp file in the data directory, fsync it,
 *       atomically rename it onto {@value #PROBE_NAME}, fsync the directory, then delete the probe. Any failure is
 *       DOWN {@code not-writable}. A permission bit says nothing under root or on a read-only mount, a real write
 *       does;</li>
 *   <li>compare the usable space of the directory's file store with the threshold; below it, DOWN
 *       {@code low-free-space}: records and lock files must still fit when the disk is nearly full.</li>
 * </ol>
 * Several replicas sharing the directory may probe at once: each writes its own temp file, the renames onto the
 * common name replace each other atomically, and deleting a probe already deleted is not a failure.
 */
@Readiness
@ApplicationScoped
public class DataDirReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "data-dir";
    static final String PROBE_NAME = ".hasp-ready-probe";

    private static final Logger LOG = Logger.getLogger(DataDirReadinessCheck.class);

    private final DataDirectory dataDirectory;
    private final long minFreeBytes;

    @Inject
    public DataDirReadinessCheck(DataDirectory dataDirectory, HaspConfig config) {
        this(dataDirectory, config.health().minFreeBytes());
    }

    DataDirReadinessCheck(DataDirectory dataDirectory, long minFreeBytes) {
        this.dataDirectory = dataDirectory;
        this.minFreeBytes = minFreeBytes;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return Uni.createFrom().item(this::probe).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** The three steps of the class contract; blocking. */
    HealthCheckResponse probe() {
        Path dir = dataDirectory.path();
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME)
                .withData("minFreeBytes", minFreeBytes);
        if (!Files.isDirectory(dir)) {
            return response.down().withData("reason", "missing").build();
        }
        try {
            writeProbe(dir);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("Data directory %s cannot take an atomic write: %s", dir, e);
            return response.down().withData("reason", "not-writable")
                    .withData("error", e.getClass().getSimpleName()).build();
        }
        long usable;
        try {
            usable = Files.getFileStore(dir).getUsableSpace();
        } catch (IOException e) {
            LOG.warnf("Cannot read the free space of %s: %s", dir, e);
            return response.down().withData("reason", "free-space-unknown").build();
        }
        response.withData("freeBytes", usable);
        if (usable < minFreeBytes) {
            return response.down().withData("reason", "low-free-space").build();
        }
        return response.up().build();
    }

    private static void writeProbe(Path dir) throws IOException {
        Path target = dir.resolve(PROBE_NAME);
        Path temp = InternalFiles.tempFor(target);
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(Instant.now().toString().getBytes(StandardCharsets.UTF_8)));
                channel.force(true);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            try (FileChannel directory = FileChannel.open(dir, StandardOpenOption.READ)) {
                directory.force(true);
            }
            Files.deleteIfExists(target);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
