package io.hasp.queue;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;

/** Body of {@code POST /v1/queues}; the id is generated when absent. */
public record CreateQueueRequest(@SafeName String id, @NotBlank @Size(max = Queue.MAX_NAME) @PlainText String name) {
}
