package io.hasp.storage;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;

import io.hasp.lock.InternalFiles;

/**
 * Replaces a file's content all at once: a reader sees the old content or the new one, never a mix,
 * and a crash leaves at most an orphaned temp file, never a torn target.
 *
 * <ol>
 *   <li>Create {@code .F.tmp.<random>} ({@link InternalFiles#tempFor}) in the target's own directory (same file
 *       system, so the rename is atomic), with the requested permissions from the start, so a secret never sits in
 *       a world-readable file. The leading dot keeps it apart from every record, whatever the record's id.</li>
 *   <li>Write the content (JSON is streamed by Jackson straight into the temp file) and fsync it.</li>
 *   <li>Rename it over {@code F} with {@code ATOMIC_MOVE}.</li>
 *   <li>fsync the directory, so the rename itself survives a power cut.</li>
 *   <li>On any failure before the rename: delete the temp file and rethrow; {@code F} is untouched.</li>
 * </ol>
 *
 * <p>The methods block (disk I/O): call them from a worker thread, never from the event loop. Concurrent writers of
 * one target must hold its lock; without it each write is still whole, and the last rename wins.
 */
@ApplicationScoped
public class AtomicWriter {

    /** Owner read/write only: for files that hold secrets. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final ObjectWriter jsonWriter;

    @Inject
    public AtomicWriter(ObjectMapper mapper) {
        // the channel is closed by its owner after fsync, so Jackson must not close it when the value is written
        this.jsonWriter = mapper.writer().with(SerializationFeature.INDENT_OUTPUT)
                .without(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
    }

    /** Writes {@code content} as UTF-8. */
    public void write(Path target, String content) {
        write(target, content.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes {@code content} with the default permissions of new files. */
    public void write(Path target, byte[] content) {
        writeWith(target, null, out -> out.write(content));
    }

    /** Writes {@code data} as pretty-printed JSON with the default permissions of new files. */
    public void writeJson(Path target, Object data) {
        writeJson(target, data, null);
    }

    /**
     * Writes {@code data} as pretty-printed JSON; the file gets {@code permissions} (null: the defaults), from the
     * moment the temp file exists.
     */
    public void writeJson(Path target, Object data, Set<PosixFilePermission> permissions) {
        writeWith(target, permissions, out -> jsonWriter.writeValue(out, data));
    }

    /** Writes {@code content} with {@code permissions} (null: the defaults). */
    public void write(Path target, byte[] content, Set<PosixFilePermission> permissions) {
        writeWith(target, permissions, out -> out.write(content));
    }

    private void writeWith(Path target, Set<PosixFilePermission> permissions, Body body) {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = InternalFiles.tempFor(dir.resolve(target.getFileName()));
        try {
            createTemp(temp, permissions);
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(channel);
                body.writeTo(out);
                out.flush();
                channel.force(true);
            }
            move(temp, target);
        } catch (IOException e) {
            deleteQuietly(temp, e);
            throw new StorageException("write failed: " + describe(e), e);
        } catch (RuntimeException | Error e) {
            deleteQuietly(temp, e);
            throw e;
        }
        syncDirectory(dir);
    }

    private static void createTemp(Path temp, Set<PosixFilePermission> permissions) throws IOException {
        if (permissions != null && supportsPosix(temp)) {
            FileAttribute<Set<PosixFilePermission>> attr = PosixFilePermissions.asFileAttribute(permissions);
            Files.createFile(temp, attr);
            // The umask can only narrow the mode at creation; set it exactly so 0600 is 0600.
            Files.setPosixFilePermissions(temp, permissions);
        } else {
            Files.createFile(temp);
        }
    }

    private static boolean supportsPosix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static void move(Path temp, Path target) throws IOException {
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            // Same directory, so this only happens on exotic file systems; refusing is better than tearing.
            throw new IOException("atomic rename not supported here", e);
        }
    }

    /** fsync of the directory makes the rename durable; some platforms cannot open a directory, which is harmless. */
    static void syncDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // The new content is already visible and whole; durability of the rename is best effort here.
        }
    }

    private static void deleteQuietly(Path temp, Throwable cause) {
        try {
            Files.deleteIfExists(temp);
        } catch (IOException e) {
            cause.addSuppressed(e);
        }
    }

    /** The message of an I/O failure without the server's absolute paths, which must not reach clients. */
    private static String describe(IOException e) {
        if (e instanceof FileSystemException fse) {
            return e.getClass().getSimpleName() + (fse.getReason() != null ? ": " + fse.getReason() : "");
        }
        return e.getClass().getSimpleName();
    }

    /** Writing the body may fail with an I/O error, which the writer turns into a {@link StorageException}. */
    @FunctionalInterface
    private interface Body {
        void writeTo(OutputStream out) throws IOException;
    }
}
