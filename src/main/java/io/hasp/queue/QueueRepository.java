package io.hasp.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.ValidationException;
import io.hasp.storage.KeyedRepository;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordStore;
import io.hasp.storage.RecordStores;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Queues of commands, the record kind with the most contention: runners, the CLI and the daemon
 * all change one queue. Every change is one read-modify-write of the queue in its {@link RecordStore}
 * ({@code queues/<id>.json} under its lock, or the queue's keys in etcd by a transaction), so none is lost.
 *
 * <p>Claims: {@link #claim} hands the first {@code pending} command to one runner and marks it {@code running} until
 * {@code claimExpiresAt}; since claim is one read-modify-write of the queue, two runners never get the same command,
 * whichever replica they ask. An expired claim goes back to {@code pending} at the next claim of that queue, and
 * within one sweep interval through {@link io.hasp.ops.Sweeper}.
 */
@Singleton
public class QueueRepository extends KeyedRepository<Queue> {

    /** The configuration key of {@link #maxCommands}. */
    static final String MAX_COMMANDS_SETTING = "hasp.limits.queue-commands";

    private final int maxCommands;

    /** Queues: {@code queues/<id>.json} with a journal of operations; in etcd, a head and two keys per command. */
    public static RecordKind<Queue> kind(ObjectMapper mapper) {
        return new RecordKind<>("queues", "queue", Queue.class, false, false, new QueueJournal(mapper),
                new QueueLayout());
    }

    @Inject
    public QueueRepository(RecordStores stores, ObjectMapper mapper, Clock clock, HaspConfig config) {
        super(stores, kind(mapper), clock);
        this.maxCommands = config.limits().queueCommands();
    }

    /** Creates an empty queue; {@link RecordConflictException} when the id exists. */
    public Uni<Queue> create(String id, String name) {
        return create(new CreateQueueRequest(id, name));
    }

    /**
     * Appends a new pending command; answers it. A queue that holds {@code maxCommands} already refuses it with
     * {@link LimitExceededException}.
     */
    public Uni<Command> addCommand(String queueId, NewCommandRequest request, OptionalLong expectedVersion) {
        String commandId = request.id() != null ? request.id() : UUID.randomUUID().toString();
        long weight = request.command().length() + (request.payload() == null ? 0 : request.payload().size() * 16L);
        return computeWithLock(queueId, expectedVersion, weight, current -> {
            Queue queue = existing(queueId, current);
            if (queue.indexOf(commandId) >= 0) {
                throw new RecordConflictException("command " + commandId + " exists already in queue " + queueId);
            }
            if (queue.commands().size() >= maxCommands) {
                throw new LimitExceededException("queue " + queueId + " holds " + queue.commands().size()
                        + " commands, the most " + MAX_COMMANDS_SETTING + " allows", MAX_COMMANDS_SETTING,
                        maxCommands);
            }
            Instant now = now();
            Command added = Command.pending(commandId, request.command(), request.payload(), now);
            return Modification.write(queue.withCommands(queue.commandList().appended(added), now),
                    stored -> added);
        });
    }

    /** Applies {@code patch} to one command; answers the command as stored. */
    public Uni<Command> updateCommand(String queueId, String commandId, CommandPatch patch,
                                      OptionalLong expectedVersion) {
        SafeNames.require("command id", commandId);
        return computeWithLock(queueId, expectedVersion, current -> {
            Queue queue = existing(queueId, current);
            int index = existingIndex(queue, commandId);
            Command before = queue.commands().get(index);
            if (patch.runnerId() != null && !patch.runnerId().equals(before.claimedBy())) {
                throw new RecordConflictException("command " + commandId + " is not claimed by that runner"
                        + " (its claim may have expired)");
            }
            Instant now = now();
            Command after = before.patched(patch, now);
            return Modification.write(queue.withCommands(queue.commandList().with(index, after), now),
                    stored -> after);
        });
    }

    /** Removes one command. */
    public Uni<Queue> removeCommand(String queueId, String commandId, OptionalLong expectedVersion) {
        SafeNames.require("command id", commandId);
        return modifyWithLock(queueId, expectedVersion, current -> {
            Queue queue = existing(queueId, current);
            int index = existingIndex(queue, commandId);
            return queue.withCommands(queue.commandList().without(index), now());
        });
    }

    /** Moves one command to 0-based {@code position}; answers the queue. */
    public Uni<Queue> moveCommand(String queueId, String commandId, int position, OptionalLong expectedVersion) {
        SafeNames.require("command id", commandId);
        return modifyWithLock(queueId, expectedVersion, current -> {
            Queue queue = existing(queueId, current);
            int index = existingIndex(queue, commandId);
            if (position >= queue.commands().size()) {
                throw new ValidationException("position must be below " + queue.commands().size());
            }
            return queue.withCommands(queue.commandList().moved(index, position), now());
        });
    }

    /**
     * Hands the first pending command to {@code runnerId} for {@code lease}; empty when nothing is pending. Expired
     * claims of this queue go back to pending first, in the same change.
     */
    public Uni<Optional<Command>> claim(String queueId, String runnerId, Duration lease) {
        return computeWithLock(queueId, OptionalLong.empty(), current -> {
            Queue queue = existing(queueId, current);
            Instant now = now();
            CommandList released = releaseExpired(queue.commandList(), now, releasesPerChange() - 1);
            int first = released.firstPending();
            if (first >= 0) {
                Command claimed = released.get(first).claimed(runnerId, now, now.plus(lease));
                return Modification.write(queue.withCommands(released.with(first, claimed), now),
                        stored -> Optional.of(claimed));
            }
            return released != queue.commandList()
                    ? Modification.write(queue.withCommands(released, now), stored -> Optional.<Command>empty())
                    : Modification.unchanged(Optional.<Command>empty());
        });
    }

    /**
     * Returns every expired claim of every queue to pending; answers how many. Queues without an expired claim are
     * only read, never locked, so a sweep of idle queues costs no lock traffic.
     */
    public Uni<Integer> releaseExpiredClaims() {
        return list().onItem().transformToMulti(queues -> Multi.createFrom().iterable(queues))
                .filter(queue -> releaseExpired(queue.commandList(), now(), 1) != queue.commandList())
                .onItem().transformToUniAndConcatenate(queue -> releaseExpiredClaims(queue.id()))
                .collect().asList()
                .map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
    }

    /**
     * Returns the expired claims of one queue to pending; answers how many. As many as one change of the store
     * takes go back per change (all of them on files), and changes follow until none is left.
     */
    public Uni<Integer> releaseExpiredClaims(String queueId) {
        int most = releasesPerChange();
        return computeWithLock(queueId, OptionalLong.empty(), current -> {
            if (current.isEmpty()) {
                return Modification.unchanged(0);
            }
            Instant now = now();
            CommandList before = current.get().commandList();
            CommandList after = releaseExpired(before, now, most);
            int released = before.running().length - after.running().length;
            return after == before ? Modification.unchanged(0)
                    : Modification.write(current.get().withCommands(after, now), stored -> released);
        }).chain(released -> released < most ? Uni.createFrom().item(released)
                : releaseExpiredClaims(queueId).map(more -> released + more));
    }

    /**
     * {@inheritDoc} A queue with more commands than one change of the store may write (etcd: one transaction) is
     * restored in slices: what was there is deleted, then the queue is created with the first slice and each further
     * slice appended, the versions counting up to the restored one; a reader may see it half made meanwhile.
     */
    @Override
    public Uni<Restored<Queue>> restore(String id, Queue queue, boolean replace, String what) {
        int most = Math.max(1, store.limits().entries() - 1);
        List<Command> all = queue.commands();
        if (all.size() <= most) {
            return super.restore(id, queue, replace, what);
        }
        int slices = (all.size() + most - 1) / most;
        return read(id).chain(current -> {
            if (current.isPresent() && !replace) {
                throw new RecordConflictException(what + " exists already");
            }
            Uni<Boolean> cleared = current.isPresent() ? deleteWithLock(id, OptionalLong.empty())
                    : Uni.createFrom().item(false);
            return cleared.chain(() -> Multi.createFrom().range(0, slices)
                    .onItem().transformToUniAndConcatenate(i -> computeWithLock(id, OptionalLong.empty(), now -> {
                        List<Command> slice = all.subList(i * most, Math.min(all.size(), (i + 1) * most));
                        CommandList commands;
                        if (i == 0) {
                            if (now.isPresent()) {
                                throw new RecordConflictException(what + " was created meanwhile");
                            }
                            commands = CommandList.of(new ArrayList<>(slice));
                        } else {
                            commands = existing(id, now).commandList();
                            for (Command c : slice) {
                                commands = commands.appended(c);
                            }
                        }
                        Queue part = new Queue(id, queue.name(), Math.max(1, queue.version() - (slices - 1 - i)),
                                queue.createdAt(), queue.updatedAt(), commands);
                        return Modification.restore(part, stored -> stored);
                    }))
                    .collect().last()
                    .map(stored -> new Restored<>(id, current)));
        });
    }

    /** {@inheritDoc} Also in slices, as {@link #restore}: the queue is deleted, then what was there restored. */
    @Override
    public Uni<Void> undo(Restored<Queue> restored) {
        return deleteWithLock(restored.id(), OptionalLong.empty()).chain(() -> restored.before().isEmpty()
                ? Uni.createFrom().voidItem()
                : restore(restored.id(), restored.before().get(), true, "queue " + restored.id()).replaceWithVoid());
    }

    /** Most expired claims one change returns to pending: what one change of the store may write. */
    private int releasesPerChange() {
        return Math.max(2, store.limits().entries());
    }

    /** {@code commands} with up to {@code most} expired claims back to pending; the same list when there is none. */
    private static CommandList releaseExpired(CommandList commands, Instant now, int most) {
        CommandList out = commands;
        int released = 0;
        for (int i : commands.running()) {
            Command c = commands.get(i);
            if (released < most && c.claimExpired(now)) {
                out = out.with(i, c.released(now));
                released++;
            }
        }
        return out;
    }

    private static int existingIndex(Queue queue, String commandId) {
        int index = queue.indexOf(commandId);
        if (index < 0) {
            throw new RecordNotFoundException("command " + commandId + " does not exist in queue " + queue.id());
        }
        return index;
    }

}
