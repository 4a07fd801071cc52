package io.hasp.filechange;

import java.util.List;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /v1/file-changes/sessions/{sessionId}}; each change checks itself when read. */
public record ChangesRequest(@NotNull @Size(max = MAX_CHANGES) List<@NotNull FileChange> changes) {

    static final int MAX_CHANGES = 10_000;
}
