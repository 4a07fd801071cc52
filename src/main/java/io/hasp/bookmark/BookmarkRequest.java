package io.hasp.bookmark;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;
import io.hasp.storage.RecordDraft;

/** Body of {@code POST} (id optional) and {@code PUT /v1/bookmarks/{id}} (id ignored: the path names it). */
public record BookmarkRequest(@SafeName String id,
                              @NotBlank @Size(max = Bookmark.MAX_TITLE) @PlainText String title,
                              @NotBlank @Size(max = Bookmark.MAX_TARGET) @PlainText String target,
                              @Size(max = Bookmark.MAX_TAGS)
                              List<@NotBlank @Size(max = Bookmark.MAX_TAG) @PlainText String> tags)
        implements RecordDraft<Bookmark> {

    public BookmarkRequest {
        tags = tags == null ? List.of() : tags;
    }

    /** The bookmark this request makes, keeping the creation time of the one it replaces. */
    @Override
    public Bookmark toRecord(String id, Optional<Bookmark> current, Instant now) {
        return new Bookmark(id, title, target, tags, 0, current.map(Bookmark::createdAt).orElse(now), now);
    }
}
