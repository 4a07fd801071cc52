package io.hasp.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;

import io.hasp.lock.LockType;

/**
 * The value of an acquisition's key in etcd (JSON): who asked, for status answers and busy answers, and the lease
 * length it was granted with, which a renewal without {@code leaseMs} keeps. Never the lock id.
 *
 * @param type       exclusive or shared
 * @param pid        process id of the replica that queued it
 * @param hostname   host name of that replica
 * @param acquiredAt when it asked; rewritten with the time of the grant when it waited more than
 *                   {@link EtcdAcquisition#REWRITE_AFTER} for it
 * @param ttlSeconds the lease's TTL as etcd granted it
 */
record EtcdGrantValue(LockType type, long pid, String hostname, Instant acquiredAt, long ttlSeconds) {

    /** What a key that is not Hasp's own JSON is shown as: an unknown holder, never trusted. */
    static final EtcdGrantValue UNKNOWN = new EtcdGrantValue(LockType.EXCLUSIVE, 0, "unknown", Instant.EPOCH, 0);

    ByteString encode(ObjectMapper json) {
        try {
            return ByteString.copyFrom(json.writeValueAsBytes(this));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static EtcdGrantValue decode(ObjectMapper json, ByteString bytes) {
        try {
            return json.readValue(bytes.toByteArray(), EtcdGrantValue.class);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }
}
