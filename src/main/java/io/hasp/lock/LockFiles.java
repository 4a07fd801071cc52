package io.hasp.lock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * Reading and writing lock files ({@code F.lock}). Changes are made by Hasp only under the resource's guard; reads
 * need none. Every write leaves a whole file for readers without the guard: a new file is written before anyone can
 * read it as ours, a rewrite of the same length is written in place (only digits or the state word differ, so any
 * mix of old and new bytes is valid JSON), any other rewrite goes through a temp file and an atomic rename.
 */
final class LockFiles {

    private static final Logger LOG = Logger.getLogger(LockFiles.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter PRETTY = JSON.writerWithDefaultPrettyPrinter();

    private LockFiles() {
    }

    /** A consistent read of a lock file: content ({@code null} when unparsable) and the identity of its file. */
    record Snapshot(LockFileContent content, String raw, Object fileKey, Instant modified, long size) {
        /** What staleness of an unparsable file is judged by: the file and every byte of it. */
        String fingerprint() {
            return fileKey + "|" + modified + "|" + size + "|" + raw;
        }
    }

    /** Reads {@code lockFile}; {@code null} when it does not exist. Retries while it changes under the read. */
    static Snapshot read(Path lockFile) throws IOException {
        Snapshot last = null;
        for (int i = 0; i < 3; i++) {
            BasicFileAttributes before;
            byte[] bytes;
            BasicFileAttributes after;
            try {
                before = Files.readAttributes(lockFile, BasicFileAttributes.class);
                bytes = Files.readAllBytes(lockFile);
                after = Files.readAttributes(lockFile, BasicFileAttributes.class);
            } catch (NoSuchFileException e) {
                return null;
            }
            String raw = new String(bytes, StandardCharsets.UTF_8);
            last = new Snapshot(parse(raw), raw, after.fileKey(), after.lastModifiedTime().toInstant(), after.size());
            if (Objects.equals(before.fileKey(), after.fileKey())
                    && before.lastModifiedTime().equals(after.lastModifiedTime()) && before.size() == after.size()
                    && after.size() == bytes.length) {
                return last;
            }
        }
        return last;
    }

    static LockFileContent parse(String raw) {
        if (raw.isBlank()) {
            return null;
        }
        try {
            LockFileContent c = JSON.readValue(raw, LockFileContent.class);
            return c != null && c.pid() != null ? c : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static byte[] bytes(LockFileContent content) {
        try {
            return PRETTY.writeValueAsBytes(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Creates {@code lockFile} with {@code content} unless it exists ({@code O_CREAT|O_EXCL}); whether it did. */
    static boolean create(Path lockFile, LockFileContent content) throws IOException {
        byte[] bytes = bytes(content);
        FileChannel ch;
        try {
            ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (NoSuchFileException e) {
            Files.createDirectories(lockFile.getParent());
            try {
                ch = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e2) {
                return false;
            }
        }
        try (FileChannel c = ch) {
            writeFully(c, bytes);
        } catch (IOException e) {
            Files.deleteIfExists(lockFile);
            throw e;
        }
        return true;
    }

    /**
     * Rewrites a lock file read as {@code read}: in place when the new content has the same length (no truncate,
     * no rename: on ext4 both force a flush costing milliseconds), else atomically through a temp file.
     */
    static void rewrite(Path lockFile, Snapshot read, LockFileContent content) throws IOException {
        byte[] bytes = bytes(content);
        if (bytes.length != read.size()) {
            replace(lockFile, bytes);
            return;
        }
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            writeFully(ch, bytes);
        }
    }

    /** Replaces a lock file atomically (temp file + rename), so readers see the old or the new content, whole. */
    static void replace(Path lockFile, byte[] bytes) throws IOException {
        Path tmp = LockPaths.temp(lockFile);
        try {
            Files.write(tmp, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            Files.move(tmp, lockFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Breaks a lock file judged stale as {@code judged}: renames it aside to a unique name (only one rename of a
     * given file can succeed), checks that the file moved is the one judged, and deletes it. If it is not (a tool
     * outside the guard replaced it meanwhile), puts it back with link(2), which fails rather than overwrite.
     * Returns whether the judged file is gone.
     */
    static boolean breakAside(Path lockFile, Snapshot judged) throws IOException {
        Path aside = LockPaths.aside(lockFile);
        try {
            Files.move(lockFile, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return true;
        }
        BasicFileAttributes moved = Files.readAttributes(aside, BasicFileAttributes.class);
        boolean same = Objects.equals(moved.fileKey(), judged.fileKey())
                && moved.lastModifiedTime().toInstant().equals(judged.modified()) && moved.size() == judged.size();
        if (!same) {
            try {
                Files.createLink(lockFile, aside);
            } catch (FileAlreadyExistsException e) {
                LOG.errorf("a lock file replaced while being broken could not be put back: %s",
                        lockFile.getFileName());
            }
        }
        Files.deleteIfExists(aside);
        return same;
    }

    /** Removes a lock file (one unlink; an absent file is no error). */
    static void delete(Path lockFile) {
        // java.io.File.delete is one unlink(2); Files.delete stats the path first
        lockFile.toFile().delete();
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            ch.write(buf, buf.position());
        }
    }
}
