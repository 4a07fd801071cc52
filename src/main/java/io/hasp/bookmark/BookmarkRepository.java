package io.hasp.bookmark;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.storage.KeyedRepository;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordStores;
import io.smallrye.mutiny.Uni;

/**
 * Bookmarks, one record each ({@code bookmarks/<id>.json}, or one etcd key); save (create or replace), update,
 * delete as read-modify-writes of the bookmark, so a CLI and the REST API editing one bookmark lose nothing.
 */
@Singleton
public class BookmarkRepository extends KeyedRepository<Bookmark> {

    /** Bookmarks, each stored whole. */
    public static final RecordKind<Bookmark> KIND = RecordKind.whole("bookmarks", "bookmark", Bookmark.class);

    @Inject
    public BookmarkRepository(RecordStores stores, Clock clock) {
        super(stores, KIND, clock);
    }

    /** Creates a bookmark; {@link RecordConflictException} when the id exists. */
    public Uni<Bookmark> create(BookmarkRequest request) {
        return createWithLock(request.id(),
                (id, now) -> new Bookmark(id, request.title(), request.target(), request.tags(), 0, now, now));
    }

    /** Creates or replaces bookmark {@code id} (keeping its creation time). */
    public Uni<Saved<Bookmark>> save(String id, BookmarkRequest request, OptionalLong expectedVersion) {
        return saveWithLock(id, expectedVersion, (current, now) -> new Bookmark(id, request.title(),
                request.target(), request.tags(), 0, current.map(Bookmark::createdAt).orElse(now), now));
    }

    /** Changes the members {@code patch} carries; {@link RecordNotFoundException} when absent. */
    public Uni<Bookmark> update(String id, BookmarkPatch patch, OptionalLong expectedVersion) {
        return modifyWithLock(id, expectedVersion, current -> {
            Bookmark b = existing(id, current);
            return new Bookmark(id, patch.title() != null ? patch.title() : b.title(),
                    patch.target() != null ? patch.target() : b.target(),
                    patch.tags() != null ? patch.tags() : b.tags(), b.version(), b.createdAt(), now());
        });
    }

    /** Replaces the tags with {@code change} applied to the current ones, in one read-modify-write. */
    public Uni<Bookmark> modifyTags(String id, UnaryOperator<Set<String>> change) {
        return modifyWithLock(id, OptionalLong.empty(), current -> {
            Bookmark b = existing(id, current);
            List<String> tags = new ArrayList<>(new TreeSet<>(change.apply(new LinkedHashSet<>(b.tags()))));
            return new Bookmark(id, b.title(), b.target(), tags, b.version(), b.createdAt(), now());
        });
    }
}
