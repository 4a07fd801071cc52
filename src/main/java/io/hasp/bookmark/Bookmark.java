package io.hasp.bookmark;

import java.time.Instant;
import java.util.List;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;
import io.hasp.storage.Versioned;

/** A bookmark, stored as {@code <data-dir>/bookmarks/<id>.json}. */
public record Bookmark(String id, String title, String target, List<String> tags, long version, Instant createdAt,
                       Instant updatedAt) implements Versioned<Bookmark> {

    static final int MAX_TITLE = 500;
    static final int MAX_TARGET = 4096;
    static final int MAX_TAGS = 100;
    static final int MAX_TAG = 100;

    public Bookmark {
        SafeNames.require("bookmark id", id);
        Checks.requireText("title", title, MAX_TITLE);
        Checks.requireText("target", target, MAX_TARGET);
        tags = checkTags(tags);
        Checks.version(version);
        Checks.require("createdAt", createdAt);
        Checks.require("updatedAt", updatedAt);
    }

    static List<String> checkTags(List<String> tags) {
        if (tags == null) {
            return List.of();
        }
        if (tags.size() > MAX_TAGS) {
            throw new ValidationException("at most " + MAX_TAGS + " tags");
        }
        tags.forEach(tag -> Checks.requireText("tag", tag, MAX_TAG));
        return List.copyOf(tags);
    }

    @Override
    public Bookmark withVersion(long newVersion) {
        return new Bookmark(id, title, target, tags, newVersion, createdAt, updatedAt);
    }
}
