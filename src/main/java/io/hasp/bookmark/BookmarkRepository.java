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

    /** Bookmarks, each stored whole in its own record. */
    @Inject
    public BookmarkRepository(RecordStores stores, Clock clock) {
        super(stores, RecordKind.whole("bookmarks", "bookmark", Bookmark.class), clock);
    }

    /** Replaces the tags with {@code change} applied to the current ones, in one read-modify-write. */
    public Uni<Bookmark> modifyTags(String id, UnaryOperator<Set<String>> change) {
        return modifyExisting(id, OptionalLong.empty(), b -> {
            List<String> tags = new ArrayList<>(new TreeSet<>(change.apply(new LinkedHashSet<>(b.tags()))));
            return new Bookmark(id, b.title(), b.target(), tags, b.version(), b.createdAt(), now());
        });
    }

    /** Changes the members {@code patch} carries; {@link RecordNotFoundException} when absent. */
    public Uni<Bookmark> update(String id, BookmarkPatch patch, OptionalLong expectedVersion) {
        return modifyExisting(id, expectedVersion, b -> new Bookmark(id,
                patch.title() != null ? patch.title() : b.title(),
                patch.target() != null ? patch.target() : b.target(),
                patch.tags() != null ? patch.tags() : b.tags(), b.version(), b.createdAt(), now()));
    }
}
