package io.hasp.storage;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

/**
 * One record file {@code F} on disk and this JVM's copy of it. The record is {@code F} plus, for kinds with a
 * {@link JournalCodec}, the entries of {@code F.journal} not yet folded into it.
 *
 * <p>The copy is checked against the files' identities (inode, modification time, size; the journal's length)
 * before use, so an unchanged record is never read or parsed again, and a journal that grew is read from where this
 * JVM stopped: the cost of a change does not grow with the record. A copy keeps {@code F} open (its pin): an inode
 * that is open cannot be freed, so no later version of {@code F} can show up with the copy's inode number (ext4 hands
 * freed numbers out again at once, and a coarse clock can repeat the modification time), and equal identities mean
 * the very file the copy was read from, which is only ever replaced, never written in place. Under the record's
 * lock ({@link #load}, {@link #commit}) the files are the truth; without it ({@link #read}), a read retries until
 * {@code F} did not change while its journal was read, so it sees one committed version whole.
 *
 * <p>A commit appends one journal entry (one write, one {@code fdatasync}) when the codec can say the change briefly;
 * otherwise, and once the journal outgrows {@code F} (at least {@value #COMPACT_MIN_BYTES} bytes), the record is
 * written whole ({@link AtomicWriter}) and the journal removed. A crash at any instant leaves either the old or the
 * new version: a torn journal line is ignored, and {@code F} is only ever replaced by rename.
 */
final class RecordFile<T extends Versioned<T>> {

    /** Smallest journal worth folding into its record. */
    static final long COMPACT_MIN_BYTES = 1L << 20;

    /** Identity of a file as seen by stat; {@code null} for an absent one. */
    record FileId(Object key, Instant modified, long size) {
        static FileId of(Path p) throws IOException {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new FileId(a.fileKey(), a.lastModifiedTime().toInstant(), a.size());
            } catch (NoSuchFileException e) {
                return null;
            }
        }
    }

    /**
     * This JVM's copy: the value ({@code null}: absent), the identity of {@code F}, how far the journal was read, and
     * {@code F} held open ({@code null} when absent).
     */
    private record Copy<T>(T value, FileId file, long journalEnd, FileChannel pin) {

        /** Whether this copy stands for {@code F} as now identified by {@code id}. */
        boolean matches(FileId id) {
            return Objects.equals(file, id) && (id == null || pin != null && pin.isOpen());
        }

        Copy<T> with(T newValue, long newJournalEnd) {
            return new Copy<>(newValue, file, newJournalEnd, pin);
        }
    }

    final Path file;
    final Path journal;
    private final Class<T> type;
    private final JournalCodec<T> codec;
    private final Storage<T> storage;
    private final AtomicReference<Copy<T>> copy = new AtomicReference<>();

    /** What a repository lends its records: JSON, the atomic writer (with its permissions). */
    interface Storage<T> {
        ObjectMapper mapper();

        /** Reads exactly one record (trailing content is an error). */
        ObjectReader reader();

        void writeWhole(Path file, T record);
    }

    RecordFile(Path file, Class<T> type, JournalCodec<T> codec, Storage<T> storage) {
        this.file = file;
        this.journal = Journal.of(file);
        this.type = type;
        this.codec = codec;
        this.storage = storage;
    }

    /** The record as stored; only under its lock. */
    Optional<T> load() {
        try {
            Copy<T> next = caughtUp(copy.get(), FileId.of(file));
            install(next);
            return Optional.ofNullable(next.value);
        } catch (IOException e) {
            throw new StorageException("read failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /** Whether changes wait in the journal, not yet folded into {@code F}. */
    boolean hasJournal() {
        Copy<T> c = copy.get();
        return c != null && c.journalEnd > 0;
    }

    /**
     * Stores {@code after} (the record as this batch leaves it; {@code null}: deleted) over {@code before} (as
     * loaded); only under its lock.
     */
    void commit(T before, T after) {
        try {
            if (after == null) {
                Files.deleteIfExists(journal);
                Files.deleteIfExists(file);
                AtomicWriter.syncDirectory(file.toAbsolutePath().getParent());
                install(new Copy<>(null, null, 0, null));
                return;
            }
            Copy<T> c = copy.get();
            Optional<JsonNode> change = codec != null && before != null && c != null && c.value == before
                    ? codec.diff(before, after) : Optional.empty();
            if (change.isPresent() && c.file != null) {
                byte[] line = Journal.line(new Journal.Entry(before.version(), after.version(), change.get()),
                        storage.mapper());
                long end = Journal.append(journal, c.journalEnd, line);
                copy.set(c.with(after, end));
                if (end > Math.max(COMPACT_MIN_BYTES, c.file.size())) {
                    compact();
                }
            } else {
                writeWhole(after);
            }
            if (codec != null) {
                codec.stored(after);
            }
        } catch (IOException e) {
            forget();
            throw new StorageException("write failed: " + e.getClass().getSimpleName(), e);
        } catch (RuntimeException e) {
            forget();
            throw e;
        }
    }

    /** Folds the journal into {@code F}; only under its lock, after {@link #load}. */
    void compact() throws IOException {
        Copy<T> c = copy.get();
        if (c != null && c.journalEnd > 0 && c.value != null) {
            writeWhole(c.value);
        }
    }

    private void writeWhole(T value) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            // a lock service that keeps no files beside the record (a test double) leaves it to us
            Files.createDirectories(dir);
        }
        storage.writeWhole(file, value);
        Files.deleteIfExists(journal);
        Copy<T> written = fresh(FileId.of(file), value);
        install(written);
    }

    /** Forgets this JVM's copy (after a failed write: the files are the truth; or when dropped from a cache). */
    void forget() {
        Copy<T> old = copy.getAndSet(null);
        unpin(old, null);
    }

    /**
     * The record as last committed, without the lock: this JVM's copy when the files did not change, else read
     * again (retrying while {@code F} is replaced under the read).
     */
    Optional<T> read() {
        try {
            for (int i = 0; i < 10; i++) {
                Copy<T> c = copy.get();
                FileId id = FileId.of(file);
                Copy<T> next = caughtUp(c, id);
                // F unchanged from before the pin was opened to now: the pin is the file identified as id
                if (Objects.equals(id, FileId.of(file))) {
                    if (next != c) {
                        if (copy.compareAndSet(c, next)) {
                            unpin(c, next);
                        } else {
                            unpin(next, c);
                        }
                    }
                    return Optional.ofNullable(next.value);
                }
                unpin(next, c);
            }
            throw new StorageException("record " + file.getFileName() + " kept changing while read", null);
        } catch (IOException e) {
            throw new StorageException("read failed: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * {@code c} with the journal entries past its end applied. A journal is only ever removed together with a change
     * of {@code F} (folded into a new {@code F}, or deleted with it), so a copy whose {@code F} is unchanged can trust
     * that the journal only grew since it was read, unless it is shorter now.
     */
    private Copy<T> catchUp(Copy<T> c) throws IOException {
        if (codec == null) {
            return c;
        }
        long size = journalSize();
        if (size == c.journalEnd || size < 0 && c.journalEnd == 0) {
            return c;
        }
        if (size < c.journalEnd) {
            c = c.with(c.pin == null ? null : parse(c.pin), 0);
            if (size <= 0) {
                return c;
            }
        }
        Journal.Read read = Journal.read(journal, c.journalEnd, storage.mapper());
        T value = c.value;
        for (Journal.Entry e : read.entries()) {
            if (value == null || e.version() <= value.version()) {
                continue;
            }
            if (e.base() != value.version()) {
                throw new CorruptRecordException(file.getFileName().toString(), "its journal's entry for version "
                        + e.base() + " does not follow version " + value.version());
            }
            value = codec.apply(value, e.change()).withVersion(e.version());
        }
        return c.with(value, read.end());
    }

    private long journalSize() throws IOException {
        FileId j = FileId.of(journal);
        return j == null ? -1 : j.size();
    }

    /** {@code c} if it stands for {@code F} as identified by {@code id}, else a fresh copy; caught up. */
    private Copy<T> caughtUp(Copy<T> c, FileId id) throws IOException {
        Copy<T> next = c != null && c.matches(id) ? c : fresh(id);
        try {
            return catchUp(next);
        } catch (IOException | RuntimeException e) {
            unpin(next, c);
            throw e;
        }
    }

    /** A copy of {@code F} as identified by {@code id}, read from {@code F} opened now, which stays open as its pin. */
    private Copy<T> fresh(FileId id) throws IOException {
        return fresh(id, null);
    }

    /** As {@link #fresh(FileId)}; with {@code known} the value just written, which is not read back. */
    private Copy<T> fresh(FileId id, T known) throws IOException {
        if (id == null) {
            return new Copy<>(null, null, 0, null);
        }
        FileChannel pin;
        try {
            pin = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            // removed since it was identified: a copy of nothing that matches no file
            return new Copy<>(null, id, 0, null);
        }
        try {
            return new Copy<>(known != null ? known : parse(pin), id, 0, pin);
        } catch (IOException | RuntimeException e) {
            pin.close();
            throw e;
        }
    }

    /** Makes {@code next} this JVM's copy; the pin of the copy it replaces is closed. */
    private void install(Copy<T> next) {
        unpin(copy.getAndSet(next), next);
    }

    /** Closes the pin of {@code old} unless {@code kept} holds the same one. */
    private static void unpin(Copy<?> old, Copy<?> kept) {
        if (old != null && old.pin != null && (kept == null || kept.pin != old.pin)) {
            try {
                old.pin.close();
            } catch (IOException ignored) {
                // nothing was written through it
            }
        }
    }

    private T parse(FileChannel pin) throws IOException {
        long size = pin.size();
        if (size > Integer.MAX_VALUE - 8) {
            throw new CorruptRecordException(file.getFileName().toString(), "too large to be a record");
        }
        ByteBuffer buf = ByteBuffer.allocate((int) size);
        while (buf.hasRemaining() && pin.read(buf, buf.position()) >= 0) {
            // reads until full or end of file
        }
        byte[] bytes = buf.array();
        T record;
        try {
            record = storage.reader().readValue(bytes);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new CorruptRecordException(file.getFileName().toString(), "not a valid " + type.getSimpleName()
                    + (at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr()));
        }
        if (record == null) {
            throw new CorruptRecordException(file.getFileName().toString(),
                    "the JSON literal null, not a " + type.getSimpleName());
        }
        return record;
    }
}
