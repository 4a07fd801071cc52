package io.hasp.bookmark;

import java.util.List;

import io.hasp.storage.Checks;

/** Body of {@code PATCH /v1/bookmarks/{id}}: members present are changed, absent ones kept. */
public record BookmarkPatch(String title, String target, List<String> tags) {

    public BookmarkPatch {
        if (title != null) {
            Checks.requireText("title", title, BookmarkRequest.MAX_TITLE);
        }
        if (target != null) {
            Checks.requireText("target", target, BookmarkRequest.MAX_TARGET);
        }
        tags = tags == null ? null : BookmarkRequest.checkTags(tags);
    }
}
