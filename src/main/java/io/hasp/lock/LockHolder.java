package io.hasp.lock;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Who holds a lock, as read from its lock file: enough for an operator to tell a stuck lock from a busy one.
 * Never carries the holder's lock id, which is a capability.
 *
 * @param type         exclusive or shared
 * @param pid          process id written by the holder
 * @param hostname     host name written by the holder (what gethostname(2) returned there)
 * @param since        when the holder got the lock
 * @param fencingToken the grant's fencing token, absent in lock files written by tools that know only the plan
 * @param expiresAt    end of the lease, for leases
 */
public record LockHolder(LockType type, long pid, String hostname, Instant since, OptionalLong fencingToken,
                         Optional<Instant> expiresAt) {

    /** One line for logs and error messages. */
    public String describe() {
        return "pid " + pid + " on " + hostname + " since " + since;
    }
}
