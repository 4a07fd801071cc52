package io.hasp.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.google.protobuf.ByteString;

import io.hasp.etcd.api.KeyValue;
import io.hasp.lock.LockType;

/**
 * The order of a name's queue in etcd, without etcd: who holds among a name's keys, and what an acquisition waits for.
 */
class EtcdQueueTest {

    private final EtcdKeys keys = new EtcdKeys("/q/");
    private final EtcdQueue queue = new EtcdQueue(keys);

    private KeyValue key(LockType type, long createRevision) {
        return KeyValue.newBuilder().setKey(keys.key("n", type, "id" + createRevision))
                .setCreateRevision(createRevision).build();
    }

    private static List<Long> revisions(List<KeyValue> kvs) {
        return kvs.stream().map(KeyValue::getCreateRevision).toList();
    }

    @Test
    void theOldestExclusiveKeyHoldsAlone() {
        List<KeyValue> kvs = List.of(key(LockType.SHARED, 12), key(LockType.EXCLUSIVE, 10), key(LockType.SHARED, 11));
        assertEquals(List.of(10L), revisions(queue.holders(kvs)));
    }

    @Test
    void sharedKeysHoldTogetherUntilTheFirstWaitingWriter() {
        List<KeyValue> kvs = List.of(key(LockType.SHARED, 5), key(LockType.SHARED, 7), key(LockType.EXCLUSIVE, 9),
                key(LockType.SHARED, 11));
        // the reader queued after the writer waits for it: a stream of readers cannot starve the writer
        assertEquals(List.of(5L, 7L), revisions(queue.holders(kvs)));
    }

    @Test
    void keysOfAnotherShapeAreNeverHolders() {
        KeyValue foreign = KeyValue.newBuilder().setKey(ByteString.copyFromUtf8("/q/locks/n/w/x")).setCreateRevision(1)
                .build();
        assertEquals(List.of(3L), revisions(queue.holders(List.of(foreign, key(LockType.EXCLUSIVE, 3)))));
    }

    @Test
    void anAcquisitionWaitsForTheNewestKeyCreatedBeforeItsOwn() {
        // newest first, as the queueing transaction reads them right after its own put at revision 20
        EtcdQueue.Ahead ahead = EtcdQueue.aheadIn(List.of(key(LockType.EXCLUSIVE, 20), key(LockType.SHARED, 17)), 20);
        assertTrue(ahead.known());
        assertEquals(17, ahead.key().getCreateRevision());
    }

    @Test
    void onlyItsOwnKeyReadMeansNothingIsAhead() {
        EtcdQueue.Ahead ahead = EtcdQueue.aheadIn(List.of(key(LockType.EXCLUSIVE, 20)), 20);
        assertTrue(ahead.known());
        assertNull(ahead.key());
    }

    @Test
    void newerKeysFillingTheAnswerLeaveItUnknown() {
        // two keys queued after it (a retried transaction read late): it must read again, never assume it holds
        EtcdQueue.Ahead ahead = EtcdQueue.aheadIn(List.of(key(LockType.EXCLUSIVE, 25), key(LockType.EXCLUSIVE, 22)),
                20);
        assertFalse(ahead.known());
        assertNull(ahead.key());
    }
}
