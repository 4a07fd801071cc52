package io.hasp.queue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.hasp.storage.etcd.EtcdLayout;
import io.hasp.storage.etcd.OrderKeys;

/**
 * A queue in etcd: its head (id, name, version, times) in the meta key, and per command two entries,
 * {@code c/<commandId>} (the command) and {@code o/<order>} (its place: the command id), where the order keys sort
 * as the queue does ({@link OrderKeys}). So:
 * <ul>
 *   <li>an append writes the meta key and two new keys, whatever the queue's length (O(1));</li>
 *   <li>a claim, a completion, any change of one command writes the meta key and that command's key;</li>
 *   <li>a move writes the moved command's place only: a key between its new neighbours';</li>
 *   <li>a removal deletes the command's two keys.</li>
 * </ul>
 * Which entries a batch writes comes from the operations that made the new command list of the old one
 * ({@link CommandList#opsSince}); only removals and moves need the old places, read then.
 */
final class QueueLayout implements EtcdLayout<Queue> {

    private static final String COMMAND = "c/";
    private static final String PLACE = "o/";

    @Override
    public boolean hasEntries() {
        return true;
    }

    @Override
    public JsonNode head(Queue q, ObjectMapper json) {
        ObjectNode head = json.valueToTree(new Queue(q.id(), q.name(), q.version(), q.createdAt(), q.updatedAt(),
                List.of()));
        head.remove("commands");
        return head;
    }

    @Override
    public Queue assemble(JsonNode head, SortedMap<String, byte[]> entries, ObjectMapper json) throws IOException {
        Map<String, Command> byId = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : entries.entrySet()) {
            if (e.getKey().startsWith(COMMAND)) {
                byId.put(e.getKey().substring(COMMAND.length()), json.readValue(e.getValue(), Command.class));
            } else if (e.getKey().startsWith(PLACE)) {
                order.add(new String(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        List<Command> commands = new ArrayList<>(order.size());
        for (String id : order) {
            Command c = byId.remove(id);
            if (c == null) {
                throw new IOException("a place names a command that is not there");
            }
            commands.add(c);
        }
        if (!byId.isEmpty()) {
            throw new IOException("a command has no place");
        }
        return withCommands(head, commands, json);
    }

    @Override
    public Queue catchUp(Queue cached, JsonNode head, SortedMap<String, byte[]> changed, ObjectMapper json)
            throws IOException {
        CommandList list = cached.commandList();
        Map<String, Command> added = new LinkedHashMap<>();
        List<String> places = new ArrayList<>();
        for (Map.Entry<String, byte[]> e : changed.entrySet()) {
            if (e.getKey().startsWith(COMMAND)) {
                Command c = json.readValue(e.getValue(), Command.class);
                int at = list.indexOf(c.id());
                if (at >= 0) {
                    list = list.with(at, c);
                } else {
                    added.put(c.id(), c);
                }
            } else if (e.getKey().startsWith(PLACE)) {
                places.add(new String(e.getValue(), StandardCharsets.UTF_8));
            }
        }
        // without removals or moves since the copy, every new place is an append, in key order
        for (String id : places) {
            Command c = added.remove(id);
            if (c == null) {
                throw new IOException("a new place names no new command");
            }
            list = list.appended(c);
        }
        if (!added.isEmpty()) {
            throw new IOException("a new command has no place");
        }
        return withCommands(head, list, json);
    }

    @Override
    public boolean needsEntries(Queue before, Queue after) {
        if (before == null || after == null) {
            return false;
        }
        List<CommandList.Op> ops = after.commandList().opsSince(before.commandList());
        return ops == null || ops.stream().anyMatch(op -> op.kind() == CommandList.Op.Kind.DEL
                || op.kind() == CommandList.Op.Kind.MOVE);
    }

    @Override
    public Writes writes(Queue before, Queue after, SortedMap<String, byte[]> entries, long seq, ObjectMapper json)
            throws IOException {
        CommandList now = after.commandList();
        List<CommandList.Op> ops = before == null ? null : now.opsSince(before.commandList());
        Set<String> touched = new LinkedHashSet<>();
        Set<String> placed = new HashSet<>();
        boolean removes = false;
        boolean moves = false;
        if (ops == null) {
            // a new queue, or a list not derived from the old one: every command gets a new place
            now.forEach(c -> touched.add(c.id()));
            placed.addAll(touched);
            if (before != null) {
                before.commands().forEach(c -> touched.add(c.id()));
                removes = true;
                moves = true;
            }
        } else {
            for (CommandList.Op op : ops) {
                String id = op.command().id();
                touched.add(id);
                switch (op.kind()) {
                    case ADD -> placed.add(id);
                    case DEL -> removes = true;
                    case MOVE -> {
                        placed.add(id);
                        moves = true;
                    }
                    default -> { }
                }
            }
        }
        Map<String, String> oldPlaces = places(entries);
        Map<String, String> newPlaces = new HashMap<>();
        long next = assign(now, placed, oldPlaces, newPlaces, seq);
        SortedMap<String, byte[]> puts = new TreeMap<>();
        List<String> deletes = new ArrayList<>();
        CommandList old = before == null ? null : before.commandList();
        for (String id : touched) {
            int at = now.indexOf(id);
            int was = old == null ? -1 : old.indexOf(id);
            if (at >= 0) {
                Command c = now.get(at);
                if (was < 0 || old.get(was) != c) {
                    puts.put(COMMAND + id, json.writeValueAsBytes(c));
                }
                String place = newPlaces.get(id);
                if (place != null) {
                    puts.put(PLACE + place, id.getBytes(StandardCharsets.UTF_8));
                    if (was >= 0) {
                        deletes.add(PLACE + required(oldPlaces, id));
                    }
                }
            } else if (was >= 0) {
                deletes.add(COMMAND + id);
                deletes.add(PLACE + required(oldPlaces, id));
            }
        }
        return new Writes(puts, deletes, removes, moves, next);
    }

    /**
     * New places for the commands in {@code placed}, kept in the order of {@code now}: each run of them between two
     * commands that keep their place gets keys between those two; a run at the end gets append keys. Answers the next
     * append sequence.
     */
    private static long assign(CommandList now, Set<String> placed, Map<String, String> oldPlaces,
                               Map<String, String> newPlaces, long seq) throws IOException {
        List<Integer> positions = new ArrayList<>();
        for (String id : placed) {
            int at = now.indexOf(id);
            if (at >= 0) {
                positions.add(at);
            }
        }
        positions.sort(null);
        long next = seq;
        int i = 0;
        while (i < positions.size()) {
            int start = positions.get(i);
            int end = start;
            while (i + 1 < positions.size() && positions.get(i + 1) == end + 1) {
                end = positions.get(++i);
            }
            i++;
            if (end == now.size() - 1) {
                for (int p = start; p <= end; p++) {
                    newPlaces.put(now.get(p).id(), OrderKeys.append(next++));
                }
            } else {
                String low = start == 0 ? null : required(oldPlaces, now.get(start - 1).id());
                String high = required(oldPlaces, now.get(end + 1).id());
                for (int p = start; p <= end; p++) {
                    low = OrderKeys.between(low, high);
                    newPlaces.put(now.get(p).id(), low);
                }
            }
        }
        return next;
    }

    private static Map<String, String> places(SortedMap<String, byte[]> entries) {
        Map<String, String> byId = new HashMap<>();
        if (entries != null) {
            entries.forEach((suffix, value) -> {
                if (suffix.startsWith(PLACE)) {
                    byId.put(new String(value, StandardCharsets.UTF_8), suffix.substring(PLACE.length()));
                }
            });
        }
        return byId;
    }

    private static String required(Map<String, String> places, String id) throws IOException {
        String place = places.get(id);
        if (place == null) {
            throw new IOException("command " + id + " has no stored place");
        }
        return place;
    }

    private static Queue withCommands(JsonNode head, List<Command> commands, ObjectMapper json) throws IOException {
        Queue h = json.treeToValue(head, Queue.class);
        return new Queue(h.id(), h.name(), h.version(), h.createdAt(), h.updatedAt(), commands);
    }
}
