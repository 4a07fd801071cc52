package io.hasp.queue;

import java.time.Instant;

/** A queue without its commands, for listings. */
public record QueueSummary(String id, String name, long version, Instant createdAt, Instant updatedAt,
                           int commands, int pending, int running) {

    static QueueSummary of(Queue q) {
        int pending = 0;
        int running = 0;
        for (Command c : q.commands()) {
            if (c.status() == CommandStatus.PENDING) {
                pending++;
            } else if (c.status() == CommandStatus.RUNNING) {
                running++;
            }
        }
        return new QueueSummary(q.id(), q.name(), q.version(), q.createdAt(), q.updatedAt(), q.commands().size(),
                pending, running);
    }
}
