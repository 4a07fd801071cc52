package io.hasp.bookmark;

import java.time.Instant;
import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;
import io.hasp.storage.Versioned;

/** A bookmark, stored as {@code <data-dir>/bookmarks/<id>.json}. */
public record Bookmark(String id, String title, String target, List<String> tags, long version, Instant createdAt,
                       Instant updatedAt) implements Versioned<Bookmark> {

    public Bookmark {
        SafeNames.require("bookmark id", id);
        Checks.requireText("title", title, BookmarkRequest.MAX_TITLE);
        Checks.requireText("target", target, BookmarkRequest.MAX_TARGET);
        tags = BookmarkRequest.checkTags(tags);
        Checks.version(version);
        Checks.require("createdAt", createdAt);
        Checks.require("updatedAt", updatedAt);
    }

    @Override
    public Bookmark withVersion(long newVersion) {
        return new Bookmark(id, title, target, tags, newVersion, createdAt, updatedAt);
    }
}
