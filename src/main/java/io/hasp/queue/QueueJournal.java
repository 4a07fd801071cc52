package io.hasp.queue;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.hasp.storage.JournalCodec;

/**
 * A queue's change as a journal entry: the operations on its commands ({@link CommandList.Op}) and the new
 * {@code updatedAt}: {@code {"at": "...", "ops": [{"add": command}, {"set": i, "command": ...}, {"del": i},
 * {"move": i, "to": j}]}}. An append is written as the one command it adds, not as the whole queue.
 */
final class QueueJournal implements JournalCodec<Queue> {

    private final ObjectMapper mapper;

    QueueJournal(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    @Override
    public Optional<JsonNode> diff(Queue before, Queue after) {
        if (!before.id().equals(after.id()) || !before.name().equals(after.name())
                || !before.createdAt().equals(after.createdAt())) {
            return Optional.empty();
        }
        List<CommandList.Op> ops = after.commandList().opsSince(before.commandList());
        if (ops == null) {
            return Optional.empty();
        }
        ObjectNode entry = mapper.createObjectNode();
        entry.put("at", after.updatedAt().toString());
        ArrayNode list = entry.putArray("ops");
        for (CommandList.Op op : ops) {
            ObjectNode o = list.addObject();
            switch (op.kind()) {
                case ADD -> o.set("add", mapper.valueToTree(op.command()));
                case SET -> o.put("set", op.at()).set("command", mapper.valueToTree(op.command()));
                case DEL -> o.put("del", op.at());
                case MOVE -> o.put("move", op.at()).put("to", op.to());
            }
        }
        return Optional.of(entry);
    }

    @Override
    public Queue apply(Queue before, JsonNode change) {
        CommandList commands = before.commandList();
        for (JsonNode o : change.get("ops")) {
            commands = commands.apply(op(o));
        }
        Queue after = new Queue(before.id(), before.name(), before.version(), before.createdAt(),
                Instant.parse(change.get("at").asText()), commands);
        stored(after);
        return after;
    }

    @Override
    public void stored(Queue after) {
        after.commandList().forgetHistory();
    }

    private CommandList.Op op(JsonNode o) {
        try {
            if (o.has("add")) {
                return new CommandList.Op(CommandList.Op.Kind.ADD, -1, -1, mapper.treeToValue(o.get("add"),
                        Command.class));
            }
            if (o.has("set")) {
                return new CommandList.Op(CommandList.Op.Kind.SET, o.get("set").asInt(), -1,
                        mapper.treeToValue(o.get("command"), Command.class));
            }
            if (o.has("del")) {
                return new CommandList.Op(CommandList.Op.Kind.DEL, o.get("del").asInt(), -1, null);
            }
            return new CommandList.Op(CommandList.Op.Kind.MOVE, o.get("move").asInt(),
                    Objects.requireNonNull(o.get("to"), "to").asInt(), null);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("unreadable journal operation", e);
        }
    }
}
