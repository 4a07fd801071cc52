package io.hasp.bookmark;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.BaseFileRepository;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/**
 * Bookmarks (plan TASK-006), one file each under {@code bookmarks/}; save (create or replace), update, delete under
 * the bookmark's lock, so a CLI and the REST API editing one bookmark lose nothing.
 */
@Singleton
public class BookmarkRepository extends BaseFileRepository<Bookmark> {

    private final Path dir;

    @Inject
    public BookmarkRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, HaspConfig config) {
        this(locks, writer, mapper, Clock.systemUTC(), config.dataDir(), lockOptions(config));
    }

    public BookmarkRepository(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock,
                              Path dataDir, LockOptions lockOptions) {
        super(locks, writer, mapper, clock, Bookmark.class, lockOptions);
        this.dir = dataDir.resolve("bookmarks");
    }

    public Path path(String id) {
        return SafeNames.resolve(dir, "bookmark id", id, RECORD_SUFFIX);
    }

    /** Creates a bookmark; {@link RecordConflictException} when the id exists. */
    public Uni<Bookmark> create(BookmarkRequest request) {
        String id = request.id() != null ? request.id() : UUID.randomUUID().toString();
        return createWithLock(path(id), "bookmark " + id,
                now -> new Bookmark(id, request.title(), request.target(), request.tags(), 0, now, now));
    }

    /** Creates or replaces bookmark {@code id} (keeping its creation time). */
    public Uni<Saved<Bookmark>> save(String id, BookmarkRequest request, OptionalLong expectedVersion) {
        return saveWithLock(path(id), expectedVersion, (current, now) -> new Bookmark(id, request.title(),
                request.target(), request.tags(), 0, current.map(Bookmark::createdAt).orElse(now), now));
    }

    /** Changes the members {@code patch} carries; {@link RecordNotFoundException} when absent. */
    public Uni<Bookmark> update(String id, BookmarkPatch patch, OptionalLong expectedVersion) {
        return modifyWithLock(path(id), expectedVersion, current -> {
            Bookmark b = current.orElseThrow(() -> new RecordNotFoundException("bookmark " + id + " does not exist"));
            return new Bookmark(id, patch.title() != null ? patch.title() : b.title(),
                    patch.target() != null ? patch.target() : b.target(),
                    patch.tags() != null ? patch.tags() : b.tags(), b.version(), b.createdAt(), now());
        });
    }

    /** Replaces the tags with {@code change} applied to the current ones, in one read-modify-write. */
    public Uni<Bookmark> modifyTags(String id, UnaryOperator<Set<String>> change) {
        return modifyWithLock(path(id), OptionalLong.empty(), current -> {
            Bookmark b = current.orElseThrow(() -> new RecordNotFoundException("bookmark " + id + " does not exist"));
            List<String> tags = new ArrayList<>(new TreeSet<>(change.apply(new LinkedHashSet<>(b.tags()))));
            return new Bookmark(id, b.title(), b.target(), tags, b.version(), b.createdAt(), now());
        });
    }

    public Uni<Boolean> delete(String id, OptionalLong expectedVersion) {
        return deleteWithLock(path(id), expectedVersion);
    }

    public Uni<Optional<Bookmark>> get(String id) {
        return read(path(id));
    }

    public Uni<List<Bookmark>> list() {
        return listAll(dir);
    }
}
