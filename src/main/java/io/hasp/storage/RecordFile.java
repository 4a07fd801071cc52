package io.hasp.storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
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
 * JVM stopped: the cost of a change does not grow with the record. Under the record's lock ({@link #load},
 * {@link #commit}) the files are the truth; without it ({@link #read}), a read retries until {@code F} did not change
 * while its journal was read, so it sees one committed version whole.
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

    /** This JVM's copy: the value ({@code null}: absent), the identity of {@code F}, how far the journal was read. */
    private record Copy<T>(T value, FileId file, long journalEnd) {
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
            Copy<T> c = copy.get();
            FileId id = FileId.of(file);
            if (c == null || !Objects.equals(c.file, id)) {
                c = new Copy<>(parse(id), id, 0);
            }
            c = catchUp(c);
            copy.set(c);
            return Optional.ofNullable(c.value);
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
                copy.set(new Copy<>(null, null, 0));
                return;
            }
            Copy<T> c = copy.get();
            Optional<JsonNode> change = codec != null && before != null && c != null && c.value == before
                    ? codec.diff(before, after) : Optional.empty();
            if (change.isPresent() && c.file != null) {
                byte[] line = Journal.line(new Journal.Entry(before.version(), after.version(), change.get()),
                        storage.mapper());
                long end = Journal.append(journal, c.journalEnd, line);
                copy.set(new Copy<>(after, c.file, end));
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
            copy.set(null);
            throw new StorageException("write failed: " + e.getClass().getSimpleName(), e);
        } catch (RuntimeException e) {
            copy.set(null);
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
        copy.set(new Copy<>(value, FileId.of(file), 0));
    }

    /** Forgets this JVM's copy (after a failed write: the files are the truth). */
    void forget() {
        copy.set(null);
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
                Copy<T> next = c != null && Objects.equals(c.file, id) ? c : new Copy<>(parse(id), id, 0);
                next = catchUp(next);
                if (Objects.equals(id, FileId.of(file))) {
                    if (next != c) {
                        copy.compareAndSet(c, next);
                    }
                    return Optional.ofNullable(next.value);
                }
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
            c = new Copy<>(parse(c.file), c.file, 0);
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
        return new Copy<>(value, c.file, read.end());
    }

    private long journalSize() throws IOException {
        FileId j = FileId.of(journal);
        return j == null ? -1 : j.size();
    }

    private T parse(FileId id) throws IOException {
        if (id == null) {
            return null;
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
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
