package io.hasp.bookmark;

import java.util.List;

/** Body of {@code GET /v1/bookmarks}. */
public record BookmarkList(List<Bookmark> bookmarks) {
}
