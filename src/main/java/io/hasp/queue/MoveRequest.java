package io.hasp.queue;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;

/** Body of {@code POST /v1/queues/{id}/commands/{commandId}/move}: the command's new 0-based position. */
public record MoveRequest(@NotNull @PositiveOrZero Integer position) {
}
