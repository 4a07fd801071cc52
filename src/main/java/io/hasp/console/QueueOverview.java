package io.hasp.console;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.hasp.queue.Command;
import io.hasp.queue.Queue;

/**
 * One queue as the console shows it: counts of its commands by status and how long the oldest pending command has
 * waited (by its {@code createdAt}); never the commands themselves.
 *
 * @param oldestPendingAt    {@code createdAt} of the oldest pending command, absent when nothing is pending
 * @param oldestPendingAgeMs its age when the overview was made, absent when nothing is pending
 */
@Schema(name = "QueueOverview")
@JsonInclude(JsonInclude.Include.NON_NULL)
public record QueueOverview(@Schema(examples = "builds") String id, String name, long version, int total,
                            int pending, int running, int completed, int failed, Instant oldestPendingAt,
                            Long oldestPendingAgeMs) {

    static QueueOverview of(Queue queue, Instant now) {
        int pending = 0;
        int running = 0;
        int completed = 0;
        int failed = 0;
        Instant oldest = null;
        for (Command c : queue.commands()) {
            switch (c.status()) {
                case PENDING -> {
                    pending++;
                    if (oldest == null || c.createdAt().isBefore(oldest)) {
                        oldest = c.createdAt();
                    }
                }
                case RUNNING -> running++;
                case COMPLETED -> completed++;
                case FAILED -> failed++;
            }
        }
        Long age = oldest == null ? null : Math.max(0, Duration.between(oldest, now).toMillis());
        return new QueueOverview(queue.id(), queue.name(), queue.version(), queue.commands().size(),
                pending, running, completed, failed, oldest, age);
    }
}
