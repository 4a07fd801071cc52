package io.hasp.queue;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** Body of {@code POST /v1/queues}; the id is generated when absent. */
public record CreateQueueRequest(String id, String name) {

    public CreateQueueRequest {
        if (id != null) {
            SafeNames.require("queue id", id);
        }
        Checks.requireText("name", name, Queue.MAX_NAME);
    }
}
