package io.hasp.filechange;

import java.util.List;
import java.util.Objects;

import io.hasp.ValidationException;

/** Body of {@code POST /v1/file-changes/sessions/{sessionId}}. */
public record ChangesRequest(List<FileChange> changes) {

    static final int MAX_CHANGES = 10_000;

    public ChangesRequest {
        if (changes == null) {
            throw new ValidationException("changes is required");
        }
        if (changes.size() > MAX_CHANGES) {
            throw new ValidationException("at most " + MAX_CHANGES + " changes per request");
        }
        if (changes.stream().anyMatch(Objects::isNull)) {
            throw new ValidationException("changes must not contain null");
        }
        changes = List.copyOf(changes);
    }
}
