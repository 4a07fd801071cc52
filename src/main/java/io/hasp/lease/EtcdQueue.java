package io.hasp.lease;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.google.protobuf.ByteString;

import io.hasp.etcd.KeyRanges;
import io.hasp.etcd.api.Compare;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.lock.LockType;

/**
 * The queue of a lock name in etcd, as etcd's own reader-writer recipe orders it: every acquisition puts one key
 * under the name ({@link EtcdKeys}), and the key's create revision is its place in line. One etcd revision counter
 * serves the whole cluster, so the order is the same for every replica.
 * <ul>
 *   <li>An exclusive acquisition holds once no key of the name was created before its own; it waits for the last
 *       one that was (whatever its type).</li>
 *   <li>A shared acquisition holds once no exclusive key was created before its own; it waits for the last exclusive
 *       one that was. Readers queued behind a writer are therefore served after it, and a stream of readers cannot
 *       starve a writer.</li>
 * </ul>
 * So the holders of a name are its oldest key and, when that one is shared, every shared key older than its oldest
 * exclusive one. Nobody is granted out of turn, and a holder's key is older than every key still waiting: the fencing
 * token (the key's create revision) strictly increases from one grant to the next. An acquisition of several names
 * puts its keys in one transaction, so they share one revision and two such acquisitions are in the same order on
 * every name they share: nobody waits in a cycle.
 */
final class EtcdQueue {

    /** How many keys {@link #newest} reads. */
    private static final int NEWEST = 2;

    private final EtcdKeys keys;

    EtcdQueue(EtcdKeys keys) {
        this.keys = keys;
    }

    /** The keys of {@code name} whose age decides for an acquisition of {@code type}: all of them, or the exclusive. */
    ByteString ahead(String name, LockType type) {
        return type == LockType.EXCLUSIVE ? keys.name(name) : keys.ofType(name, LockType.EXCLUSIVE);
    }

    /**
     * The last of {@link #ahead} created before {@code revision} (keys only): the key an acquisition created at
     * {@code revision} waits for, or nothing once it holds.
     */
    RangeRequest blocker(String name, LockType type, long revision) {
        return lastOf(ahead(name, type), 1).setMaxCreateRevision(revision - 1).build();
    }

    /**
     * The two last of {@link #ahead} (keys only), as a transaction that has just put a key reads them: its own key is
     * the newest of all, so they show the one it waits for.
     */
    RangeRequest newest(String name, LockType type) {
        return lastOf(ahead(name, type), NEWEST).build();
    }

    /**
     * What an answer to {@link #newest}, read at or after {@code revision}, says of the key that an acquisition whose
     * key was created at {@code revision} waits for.
     */
    static Ahead aheadIn(List<KeyValue> newestFirst, long revision) {
        for (KeyValue kv : newestFirst) {
            if (kv.getCreateRevision() < revision) {
                return new Ahead(kv, true);
            }
        }
        // fewer keys than asked for: every one was seen, none is older; else newer keys filled the answer
        return new Ahead(null, newestFirst.size() < NEWEST);
    }

    /**
     * The key an acquisition waits for.
     *
     * @param key   the key, or {@code null} when none is ahead (it holds)
     * @param known false when the answer could not tell: read again with {@link #blocker}
     */
    record Ahead(KeyValue key, boolean known) {
    }

    /** True while no key of {@link #ahead} exists: an acquisition of {@code type} put now would hold at once. */
    Compare nothingAhead(String name, LockType type) {
        ByteString prefix = ahead(name, type);
        return Compare.newBuilder().setKey(prefix).setRangeEnd(KeyRanges.prefixEnd(prefix))
                .setTarget(Compare.CompareTarget.CREATE).setResult(Compare.CompareResult.EQUAL)
                .setCreateRevision(0).build();
    }

    /** The oldest key of {@code name}, with its value: a holder, when there is one. */
    RangeRequest head(String name) {
        ByteString prefix = keys.name(name);
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(KeyRanges.prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.ASCEND)
                .setLimit(1).build();
    }

    /** Every key under {@code prefix} (one name, or all of them). */
    static RangeRequest all(ByteString prefix) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(KeyRanges.prefixEnd(prefix)).build();
    }

    /** The holders of every name among {@code kvs}, oldest first, by name in sorted order. */
    Map<String, List<KeyValue>> holdersByName(List<KeyValue> kvs) {
        Map<String, List<KeyValue>> byName = new TreeMap<>();
        for (KeyValue kv : kvs) {
            keys.entry(kv.getKey()).ifPresent(e -> byName.computeIfAbsent(e.name(), n -> new ArrayList<>()).add(kv));
        }
        Map<String, List<KeyValue>> holders = new TreeMap<>();
        byName.forEach((name, keysOfName) -> holders.put(name, holders(keysOfName)));
        return holders;
    }

    /** The holders among the keys of one name: the oldest, and the shared keys older than the oldest exclusive one. */
    List<KeyValue> holders(List<KeyValue> keysOfName) {
        List<KeyValue> queue = keysOfName.stream().filter(kv -> keys.entry(kv.getKey()).isPresent())
                .sorted(Comparator.comparingLong(KeyValue::getCreateRevision)).toList();
        List<KeyValue> holders = new ArrayList<>();
        for (KeyValue kv : queue) {
            boolean shared = type(kv) == LockType.SHARED;
            if (holders.isEmpty()) {
                holders.add(kv);
                if (!shared) {
                    break;
                }
            } else if (shared) {
                holders.add(kv);
            } else {
                break;
            }
        }
        return holders;
    }

    private LockType type(KeyValue kv) {
        return keys.entry(kv.getKey()).map(EtcdKeys.Entry::type).orElse(LockType.EXCLUSIVE);
    }

    private static RangeRequest.Builder lastOf(ByteString prefix, int limit) {
        return RangeRequest.newBuilder().setKey(prefix).setRangeEnd(KeyRanges.prefixEnd(prefix))
                .setSortTarget(RangeRequest.SortTarget.CREATE).setSortOrder(RangeRequest.SortOrder.DESCEND)
                .setLimit(limit).setKeysOnly(true);
    }
}
