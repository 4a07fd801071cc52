package io.hasp.queue;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.RandomAccess;

/**
 * The commands of a queue: an immutable list whose changes cost the same whatever its length, so that a queue of
 * 100,000 commands takes an append, a claim or a completion as cheaply as an empty one.
 *
 * <p>Commands sit in chunks of {@value #CHUNK}; a change copies one chunk and the chunk table, and an append to the
 * newest version of a list writes into its last chunk in place (older versions never look past their own size).
 * An index by id finds a command without a scan; the first pending command and the running ones are tracked, so a
 * claim scans neither. Removing and moving rebuild the list (rare operations).
 *
 * <p>Each version remembers how it was made from the one before ({@link Op}), until {@link #forgetHistory()}: the
 * queue's journal writes those operations instead of the whole queue.
 */
public final class CommandList extends AbstractList<Command> implements RandomAccess {

    static final int CHUNK = 256;
    private static final int[] NONE = new int[0];

    /**
     * One change: append {@code command}, set it at {@code at}, remove at {@code at}, or move {@code at} to {@code to};
     * for a removal or a move, {@code command} is the command removed or moved when known (a journal's replay does
     * not know it).
     */
    public record Op(Kind kind, int at, int to, Command command) {
        /** What an operation does. */
        public enum Kind { ADD, SET, DEL, MOVE }
    }

    /** What the versions sharing chunks and index have in common: which of them may still append in place. */
    private static final class Shared {
        final Map<String, Integer> index;
        Object latest;

        Shared(Map<String, Integer> index) {
            this.index = index;
        }
    }

    private final Command[][] chunks;
    private final int size;
    private final Shared shared;
    /** Every command before it is not pending. */
    private final int pendingFrom;
    /** Positions of the running commands. */
    private final int[] running;
    private volatile CommandList parent;
    private volatile Op op;

    private CommandList(Command[][] chunks, int size, Shared shared, int pendingFrom, int[] running,
                        CommandList parent, Op op) {
        this.chunks = chunks;
        this.size = size;
        this.shared = shared;
        this.pendingFrom = pendingFrom;
        this.running = running;
        this.parent = parent;
        this.op = op;
        synchronized (shared) {
            shared.latest = this;
        }
    }

    /** {@code commands} as a command list (the same object when it is one). */
    public static CommandList of(List<Command> commands) {
        if (commands instanceof CommandList list) {
            return list;
        }
        return build(commands == null ? List.of() : commands);
    }

    private static CommandList build(List<Command> commands) {
        int n = commands.size();
        Command[][] chunks = new Command[(n + CHUNK - 1) / CHUNK][];
        Map<String, Integer> index = new HashMap<>(Math.max(16, n * 2));
        int pendingFrom = n;
        List<Integer> run = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i % CHUNK == 0) {
                chunks[i / CHUNK] = new Command[CHUNK];
            }
            Command c = commands.get(i);
            chunks[i / CHUNK][i % CHUNK] = c;
            if (index.putIfAbsent(c.id(), i) != null) {
                throw new IllegalArgumentException("command " + c.id() + " appears twice");
            }
            if (c.status() == CommandStatus.PENDING && pendingFrom == n) {
                pendingFrom = i;
            }
            if (c.status() == CommandStatus.RUNNING) {
                run.add(i);
            }
        }
        return new CommandList(chunks, n, new Shared(index), pendingFrom,
                run.stream().mapToInt(Integer::intValue).toArray(), null, null);
    }

    @Override
    public Command get(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException(i);
        }
        return chunks[i / CHUNK][i % CHUNK];
    }

    @Override
    public int size() {
        return size;
    }

    /** Position of command {@code id}, or -1; no scan. */
    @Override
    public int indexOf(Object id) {
        if (!(id instanceof String s)) {
            return super.indexOf(id);
        }
        Integer at;
        synchronized (shared) {
            at = shared.index.get(s);
        }
        return at != null && at < size && get(at).id().equals(s) ? at : -1;
    }

    /** Position of the first pending command, or -1. */
    public int firstPending() {
        for (int i = pendingFrom; i < size; i++) {
            if (get(i).status() == CommandStatus.PENDING) {
                return i;
            }
        }
        return -1;
    }

    /** Positions of the running commands (claimed, not finished). */
    public int[] running() {
        return running.clone();
    }

    /** This list with {@code c} appended. */
    public CommandList appended(Command c) {
        if (!isLatest()) {
            return rebuilt().appended(c);
        }
        Command[][] table = chunks;
        if (size % CHUNK == 0) {
            table = Arrays.copyOf(chunks, chunks.length + 1);
            table[table.length - 1] = new Command[CHUNK];
        }
        table[size / CHUNK][size % CHUNK] = c;
        synchronized (shared) {
            shared.index.put(c.id(), size);
        }
        int[] run = c.status() == CommandStatus.RUNNING ? plus(running, size) : running;
        return new CommandList(table, size + 1, shared, pendingFrom, run, this, new Op(Op.Kind.ADD, size, -1, c));
    }

    /** This list with the command at {@code i} replaced by {@code c} (the same command, changed). */
    public CommandList with(int i, Command c) {
        if (!get(i).id().equals(c.id())) {
            throw new IllegalArgumentException("set keeps a command's id");
        }
        if (!isLatest()) {
            return rebuilt().with(i, c);
        }
        Command[][] table = chunks.clone();
        table[i / CHUNK] = chunks[i / CHUNK].clone();
        table[i / CHUNK][i % CHUNK] = c;
        int from = c.status() == CommandStatus.PENDING ? Math.min(pendingFrom, i)
                : i == pendingFrom ? i + 1 : pendingFrom;
        int[] run = minus(running, i);
        if (c.status() == CommandStatus.RUNNING) {
            run = plus(run, i);
        }
        return new CommandList(table, size, shared, from, run, this, new Op(Op.Kind.SET, i, -1, c));
    }

    /** This list without the command at {@code i}. */
    public CommandList without(int i) {
        List<Command> all = new ArrayList<>(this);
        all.remove(i);
        return derived(all, new Op(Op.Kind.DEL, i, -1, get(i)));
    }

    /** This list with the command at {@code from} moved to {@code to}. */
    public CommandList moved(int from, int to) {
        List<Command> all = new ArrayList<>(this);
        all.add(to, all.remove(from));
        return derived(all, new Op(Op.Kind.MOVE, from, to, get(from)));
    }

    /** This list with {@code op} applied (a journal's replay). */
    public CommandList apply(Op o) {
        return switch (o.kind()) {
            case ADD -> appended(o.command());
            case SET -> with(o.at(), o.command());
            case DEL -> without(o.at());
            case MOVE -> moved(o.at(), o.to());
        };
    }

    /**
     * The operations that made this list from {@code base}, oldest first; {@code null} when {@code base} is not an
     * ancestor this list still remembers.
     */
    public List<Op> opsSince(CommandList base) {
        List<Op> ops = new ArrayList<>();
        for (CommandList v = this; v != base; v = v.parent) {
            if (v == null) {
                return null;
            }
            if (v.op != null) {
                ops.add(v.op);
            } else if (v.parent == null) {
                return null;
            }
        }
        java.util.Collections.reverse(ops);
        return ops;
    }

    /** Forgets how this list was made (its ancestors can then be collected). */
    public void forgetHistory() {
        parent = null;
        op = null;
    }

    private boolean isLatest() {
        synchronized (shared) {
            return shared.latest == this;
        }
    }

    /** A copy sharing nothing (when an older version is changed: its chunks belong to a newer one). */
    private CommandList rebuilt() {
        CommandList copy = build(this);
        copy.parent = this;
        return copy;
    }

    private CommandList derived(List<Command> all, Op how) {
        CommandList next = build(all);
        next.parent = this;
        next.op = how;
        return next;
    }

    private static int[] plus(int[] a, int v) {
        int[] b = Arrays.copyOf(a, a.length + 1);
        b[a.length] = v;
        return b;
    }

    private static int[] minus(int[] a, int v) {
        int n = 0;
        for (int x : a) {
            if (x != v) {
                n++;
            }
        }
        if (n == a.length) {
            return a;
        }
        int[] b = new int[n];
        int j = 0;
        for (int x : a) {
            if (x != v) {
                b[j++] = x;
            }
        }
        return b.length == 0 ? NONE : b;
    }
}
