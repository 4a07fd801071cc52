package io.hasp.lease;

import java.time.Instant;

import io.hasp.lock.LockType;

/**
 * The value of a grant key in etcd (JSON): who holds it, for status answers and busy answers, and the lease length
 * it was granted with, which a renewal without {@code leaseMs} keeps. Never the lock id.
 *
 * @param type       exclusive or shared
 * @param pid        process id of the replica that granted it
 * @param hostname   host name of that replica
 * @param acquiredAt when it was granted
 * @param ttlSeconds the lease's TTL as etcd granted it
 */
record EtcdGrantValue(LockType type, long pid, String hostname, Instant acquiredAt, long ttlSeconds) {
}
