package io.hasp.bookmark;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;

/** Body of {@code PATCH /v1/bookmarks/{id}}: members present are changed, absent ones kept. */
public record BookmarkPatch(
        @Size(max = Bookmark.MAX_TITLE) @Pattern(regexp = PlainText.NOT_BLANK, message = "must not be blank")
        @PlainText String title,
        @Size(max = Bookmark.MAX_TARGET) @Pattern(regexp = PlainText.NOT_BLANK, message = "must not be blank")
        @PlainText String target,
        @Size(max = Bookmark.MAX_TAGS)
        List<@NotBlank @Size(max = Bookmark.MAX_TAG) @PlainText String> tags) {
}
