package io.hasp.queue;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;

/** Body of {@code POST /v1/queues/{id}/commands/{commandId}/move}: the command's new 0-based position. */
public record MoveRequest(Integer position) {

    public MoveRequest {
        Checks.require("position", position);
        if (position < 0) {
            throw new ValidationException("position must not be negative");
        }
    }
}
