package io.hasp.queue;

import java.time.Instant;
import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.Versioned;

/** A queue of commands, stored as {@code <data-dir>/queues/<id>.json}; the order of {@code commands} is the queue's. */
public record Queue(String id, String name, long version, Instant createdAt, Instant updatedAt,
                    List<Command> commands) implements Versioned<Queue> {

    /** Longest queue name. */
    public static final int MAX_NAME = 200;

    public Queue {
        Checks.namedRecord("queue id", id, name, MAX_NAME, version, createdAt, updatedAt);
        commands = CommandList.of(commands);
    }

    @Override
    public Queue withVersion(long newVersion) {
        return new Queue(id, name, newVersion, createdAt, updatedAt, commands);
    }

    /** This queue with {@code newCommands}, touched at {@code now}. */
    public Queue withCommands(List<Command> newCommands, Instant now) {
        return new Queue(id, name, version, createdAt, now, newCommands);
    }

    /** The commands, as the list whose changes cost the same whatever the queue's length. */
    public CommandList commandList() {
        return (CommandList) commands;
    }

    /** Index of command {@code commandId}, or -1; no scan. */
    public int indexOf(String commandId) {
        return commandList().indexOf(commandId);
    }
}
