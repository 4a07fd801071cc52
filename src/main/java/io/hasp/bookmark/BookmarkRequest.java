package io.hasp.bookmark;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;

/** Body of {@code POST} (id optional) and {@code PUT /v1/bookmarks/{id}} (id ignored: the path names it). */
public record BookmarkRequest(@SafeName String id,
                              @NotBlank @Size(max = Bookmark.MAX_TITLE) @PlainText String title,
                              @NotBlank @Size(max = Bookmark.MAX_TARGET) @PlainText String target,
                              @Size(max = Bookmark.MAX_TAGS)
                              List<@NotBlank @Size(max = Bookmark.MAX_TAG) @PlainText String> tags) {

    public BookmarkRequest {
        tags = tags == null ? List.of() : tags;
    }
}
