package io.hasp.queue;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;
import io.hasp.storage.RecordDraft;

/** Body of {@code POST /v1/queues}; the id is generated when absent. */
public record CreateQueueRequest(@SafeName String id, @NotBlank @Size(max = Queue.MAX_NAME) @PlainText String name)
        implements RecordDraft<Queue> {

    /** An empty queue (a queue is only ever created this way, never replaced). */
    @Override
    public Queue toRecord(String id, Optional<Queue> current, Instant now) {
        return new Queue(id, name, 0, now, now, List.of());
    }
}
