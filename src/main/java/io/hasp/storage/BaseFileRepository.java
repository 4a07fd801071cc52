package io.hasp.storage;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.InternalFiles;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockType;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * The file mechanics of {@link FileRecordStore}: the one place where record files are read, changed and listed, so
 * that no record kind can lose an update (the shapes of a change, create, save, modify, delete, are
 * {@link RecordRepository}'s, the same on every backend). Every change of file {@code F} happens under the exclusive lock of {@code F} (lock file {@code F.lock}), batched
 * with the other changes of {@code F} in this JVM ({@link GroupCommitter}: one write and one fsync for a batch) and
 * written while the lock is verifiably held; pure reads take no lock, since a reader only ever sees whole versions
 * ({@link RecordFile}).
 *
 * <p>A change ({@link #computeWithLock}):
 * <ol>
 *   <li>waits for the exclusive lock of {@code F} (no thread is held while waiting), unless this JVM holds it;</li>
 *   <li>on a worker thread, takes the record as stored ({@code Optional.empty()} when absent), from memory when the
 *       file did not change;</li>
 *   <li>checks the expected version, if one was demanded: a mismatch fails with {@link VersionConflictException}
 *       and changes nothing;</li>
 *   <li>applies the modifier; an exception from it fails this change only and writes nothing of it;</li>
 *   <li>sets the version to the current one plus one (a new record starts at {@link #firstVersion()}, never a
 *       version of an earlier incarnation);</li>
 *   <li>is made durable with the rest of its batch, and only then answered, with a value computed from the record
 *       as stored.</li>
 * </ol>
 * A lock that cannot be had fails the {@code Uni} with {@link io.hasp.lock.LockException} and changes nothing.
 *
 * @param <T> the record type
 */
public abstract class BaseFileRepository<T extends Versioned<T>> {

    /** Suffix of record files ({@link DataDirectory#RECORD_SUFFIX}): listings consider nothing else. */
    public static final String RECORD_SUFFIX = DataDirectory.RECORD_SUFFIX;

    private static final Logger LOG = Logger.getLogger(BaseFileRepository.class);

    protected final FileLockService locks;
    protected final AtomicWriter writer;
    protected final ObjectMapper mapper;
    protected final Clock clock;
    private final Class<T> type;
    private final ObjectReader reader;
    private final LockOptions lockOptions;
    private final RecordSettings settings;
    private final JournalCodec<T> codec;
    private final Batch.Versions versions = new Batch.Versions() {
        @Override
        public long first() {
            return firstVersion();
        }

        @Override
        public long floor() {
            return 1;
        }
    };
    /** Committers (and with them the copies of records) by file; idle ones beyond the cache size are dropped. */
    private final LinkedHashMap<Path, GroupCommitter<T>> committers = new LinkedHashMap<>(64, 0.75f, true);
    private final RecordFile.Storage<T> storage = new RecordFile.Storage<>() {
        @Override
        public ObjectMapper mapper() {
            return mapper;
        }

        @Override
        public ObjectReader reader() {
            return reader;
        }

        @Override
        public void writeWhole(Path file, T record) {
            writeNow(file, record);
        }
    };

    protected BaseFileRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                                 Class<T> type, LockOptions lockOptions, RecordSettings settings,
                                 JournalCodec<T> codec) {
        this.locks = locks;
        this.writer = writer;
        this.mapper = mapper;
        this.clock = clock;
        this.type = type;
        this.reader = mapper.readerFor(type).with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.lockOptions = lockOptions;
        this.settings = settings;
        this.codec = codec;
    }

    /**
     * The version of a record created now: the clock in microseconds since the epoch (about 1.8e15, below 2^53, so
     * exact in JavaScript), as fencing tokens are. A record created again after a delete therefore starts above
     * every version its former incarnation reached (that one changed at most once per microsecond of its life), and
     * an {@code If-Match} taken before the delete never matches it. Only a clock stepped back across the delete and
     * the new creation could repeat a version.
     */
    protected long firstVersion() {
        Instant now = clock.instant();
        long micros = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
        return Math.max(1, micros);
    }

    /** Reads {@code file} without a lock; every read sees one whole committed version. */
    protected Uni<Optional<T>> read(Path file) {
        return blocking(() -> readNow(file));
    }

    /**
     * Read-modify-write of {@code file} under its exclusive lock, answering a value computed from the stored record
     * (see the class Javadoc for the steps); {@code weight} is about how many request bytes the change carries. The
     * modifier runs on a worker thread while the lock is held: it must be quick and must not wait for other locks.
     */
    protected <R> Uni<R> computeWithLock(Path file, OptionalLong expectedVersion, long weight,
                                         Function<Optional<T>, Modification<T, R>> modifier) {
        return committer(file).submit(expectedVersion, weight, modifier);
    }

    /** Every record directly inside {@code dir} ({@code *.json} with a safe name), sorted by file name. */
    protected Uni<List<T>> listAll(Path dir) {
        return blocking(() -> {
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "*" + RECORD_SUFFIX)) {
                for (Path file : stream) {
                    String name = file.getFileName().toString();
                    String base = name.substring(0, name.length() - RECORD_SUFFIX.length());
                    if (!InternalFiles.isInternal(file) && SafeNames.isSafe(base)) {
                        files.add(file);
                    }
                }
            } catch (NoSuchFileException e) {
                return List.of();
            } catch (IOException e) {
                throw new StorageException("listing failed: " + e.getClass().getSimpleName(), e);
            }
            files.sort(null);
            List<T> records = new ArrayList<>(files.size());
            for (Path file : files) {
                try {
                    readNow(file).ifPresent(records::add);
                } catch (StorageException e) {
                    // One unreadable file (edited by hand, say) must not hide all the others.
                    LOG.warnf("skipping unreadable record %s: %s", file.getFileName(), e.getMessage());
                }
            }
            return records;
        });
    }

    /**
     * Blocking read without a lock; for subclasses already on a worker thread. Absent is empty; a file that is not
     * exactly one valid record (torn, not JSON, {@code null}, more content after the record) fails with
     * {@link CorruptRecordException}, so that no caller takes it for absent and no mutation writes over it.
     */
    protected Optional<T> readNow(Path file) {
        return committer(file).record.read();
    }

    /** Blocking atomic write of a whole record; only under the file's lock. Subclasses may narrow permissions. */
    protected void writeNow(Path file, T record) {
        writer.writeJson(file, record);
    }

    /** Runs blocking file work on the worker pool, never on the caller's (possibly event-loop) thread. */
    protected static <R> Uni<R> blocking(Supplier<R> work) {
        return Uni.createFrom().item(work).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    private GroupCommitter<T> committer(Path file) {
        Path key = file.toAbsolutePath().normalize();
        synchronized (committers) {
            GroupCommitter<T> c = committers.get(key);
            if (c == null) {
                c = new GroupCommitter<>(new RecordFile<>(key, type, codec, storage), locks, lockOptions, settings,
                        versions);
                committers.put(key, c);
                evictIdle();
            }
            return c;
        }
    }

    private void evictIdle() {
        Iterator<Map.Entry<Path, GroupCommitter<T>>> eldest = committers.entrySet().iterator();
        while (committers.size() > settings.cacheSize() && eldest.hasNext()) {
            GroupCommitter<T> c = eldest.next().getValue();
            if (!c.busy()) {
                eldest.remove();
                // its copy keeps the record file open: let it go
                c.record.forget();
            }
        }
    }
}
