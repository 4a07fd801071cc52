package io.hasp.queue;

import java.util.List;

/** Body of {@code GET /v1/queues}. */
public record QueueList(List<QueueSummary> queues) {
}
