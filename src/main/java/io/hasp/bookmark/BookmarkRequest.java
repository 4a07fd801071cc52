package io.hasp.bookmark;

import java.util.List;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** Body of {@code POST} (id optional) and {@code PUT /v1/bookmarks/{id}} (id ignored: the path names it). */
public record BookmarkRequest(String id, String title, String target, List<String> tags) {

    static final int MAX_TITLE = 500;
    static final int MAX_TARGET = 4096;
    static final int MAX_TAGS = 100;
    static final int MAX_TAG = 100;

    public BookmarkRequest {
        if (id != null) {
            SafeNames.require("bookmark id", id);
        }
        Checks.requireText("title", title, MAX_TITLE);
        Checks.requireText("target", target, MAX_TARGET);
        tags = checkTags(tags);
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
}
