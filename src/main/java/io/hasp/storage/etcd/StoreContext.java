package io.hasp.storage.etcd;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.etcd.EtcdClient;
import io.hasp.http.ProblemException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordSettings;
import io.hasp.storage.Versioned;

/**
 * What every committer of one kind's etcd store shares: the client, the keys and reader, this replica's writer id
 * (so that a committer recognises its own batches in a record's meta and its waiting keys), and the limits.
 *
 * @param maxTxnOps       most operations etcd takes in one transaction branch ({@code --max-txn-ops})
 * @param maxRequestBytes most bytes etcd takes in one request ({@code --max-request-bytes})
 * @param patience        how long a batch keeps trying against other writers ({@code hasp.lock.timeout})
 * @param readPatience    longest blocking read ({@link EtcdRecordStore#getNow}): etcd's operation time-out, twice
 * @param waiting         this replica's turns with other replicas on one record
 */
record StoreContext<T extends Versioned<T>>(EtcdClient etcd, RecordKind<T> kind, RecordKeys keys,
                                            RecordReader<T> reader, ObjectMapper json, Sealer sealer, String writer,
                                            Clock clock, RecordSettings settings, int maxTxnOps,
                                            long maxRequestBytes, Duration patience,
                                            Duration readPatience, WaitingRoom waiting) {

    /** Seconds a client should wait before trying again after a 503. */
    static final String RETRY_AFTER = "1";

    EtcdLayout<T> layout() {
        return kind.layout();
    }

    /** Now in microseconds since the epoch: where a new record's versions start. */
    long micros() {
        Instant now = clock.instant();
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
    }

    /** The record's value as stored for key {@code key}: sealed for secret kinds. */
    byte[] seal(byte[] key, byte[] value) {
        return kind.secret() ? sealer.seal(key, value) : value;
    }

    ProblemException unreachable() {
        return new ProblemException(503, "error", "the record store (etcd) did not answer in time; the change may "
                + "not have been made: read the record before trying again", Map.of(),
                Map.of("Retry-After", RETRY_AFTER));
    }

    ProblemException contended() {
        return new ProblemException(503, "timeout", "the record kept changing under other writers for "
                + patience.toMillis() + " ms (hasp.lock.timeout); nothing of this change was written", Map.of(),
                Map.of("Retry-After", RETRY_AFTER));
    }
}
