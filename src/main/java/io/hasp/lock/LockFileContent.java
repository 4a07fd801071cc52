package io.hasp.lock;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The JSON of a lock file. Its first members are the plan's {@code pid}, {@code timestamp}, {@code hostname}
 * (of the first holder; {@code timestamp} is refreshed with every heartbeat so that tools applying the plan's
 * "older than five minutes" rule never take a live lock), then Hasp's own. Unknown members are ignored, and a file
 * with only the plan's three is read as one exclusive holder.
 *
 * @param state   {@value #HELD} (or absent): the holders hold it; {@value #PARKED}: its one holder, a Hasp process,
 *                no longer uses it but keeps the file so that no tool that knows only the plan takes the resource
 *                while its record is not yet folded into {@code F} (see {@code docs/locking.md}); any Hasp process may
 *                take a parked lock over at once
 * @param holders every holder: one for an exclusive lock, one or more for a shared lock
 */
@JsonPropertyOrder({"pid", "timestamp", "hostname", "type", "state", "holders"})
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonInclude(JsonInclude.Include.NON_NULL)
public record LockFileContent(Long pid, String timestamp, String hostname, LockType type, String state,
                              List<Holder> holders) {

    /** State of a lock its holders hold. Same length as {@link #PARKED}: a flip is written in place. */
    public static final String HELD = "held";
    /** State of a lock kept by a Hasp process for the record layer, free for any Hasp process to take over. */
    public static final String PARKED = "park";

    /** Digits of year, month, day, hour, minute, second and nanosecond in {@link #instant}, and what follows each. */
    private static final int[] WIDTHS = {4, 2, 2, 2, 2, 2, 9};
    private static final String AFTER = "--T::.Z";

    /**
     * One holder.
     *
     * @param owner        the grant's lock id
     * @param heartbeat    refreshed by a live holder every fifth of {@code stale-after}; judges from another host
     *                     watch it stop
     * @param expiresAt    end of the lease, for leases (which are judged by it, not by their process)
     * @param leaseMs      length of the lease last granted or renewed
     */
    @JsonPropertyOrder({"owner", "pid", "hostname", "processStart", "pidNamespace", "bootId", "acquiredAt",
        "heartbeat", "fencingToken", "expiresAt", "leaseMs"})
    @JsonIgnoreProperties(ignoreUnknown = true)
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Holder(String owner, Long pid, String hostname, String processStart, String pidNamespace,
                         String bootId, String acquiredAt, String heartbeat, Long fencingToken, String expiresAt,
                         Long leaseMs) {

        /** An entry for {@code owner} of this process, granted at {@code now}; a lease when {@code lease} is there. */
        static Holder of(String owner, long token, Instant now, Optional<Duration> lease) {
            ProcessIdentity self = ProcessIdentity.current();
            String at = instant(now);
            return new Holder(owner, self.pid(), self.hostname(),
                    self.processStart().map(Instant::toString).orElse(null), self.pidNamespace().orElse(null),
                    self.bootId().orElse(null), at, at, token,
                    lease.map(l -> instant(now.plus(l))).orElse(null), lease.map(Duration::toMillis).orElse(null));
        }

        Holder withHeartbeat(Instant now) {
            return new Holder(owner, pid, hostname, processStart, pidNamespace, bootId, acquiredAt, instant(now),
                    fencingToken, expiresAt, leaseMs);
        }

        Holder withLease(Instant expires, long ms) {
            return new Holder(owner, pid, hostname, processStart, pidNamespace, bootId, acquiredAt, heartbeat,
                    fencingToken, instant(expires), ms);
        }

        boolean isLease() {
            return expiresAt != null;
        }

        LockHolder toLockHolder(LockType type) {
            return new LockHolder(type, pid == null ? -1 : pid, hostname == null ? "unknown" : hostname,
                    parse(acquiredAt).or(() -> parse(heartbeat)).orElse(Instant.EPOCH),
                    fencingToken == null ? OptionalLong.empty() : OptionalLong.of(fencingToken), parse(expiresAt));
        }
    }

    /** The file's type; plan-only files have none and are exclusive. */
    public LockType effectiveType() {
        return type == null ? LockType.EXCLUSIVE : type;
    }

    /** The holders, or the single holder described by the plan's three members in a plan-only file. */
    public List<Holder> effectiveHolders() {
        if (holders != null) {
            return holders;
        }
        return List.of(new Holder(null, pid, hostname, null, null, null, timestamp, null, null, null, null));
    }

    /** Whether the file was written by a tool that knows only the plan's three members. */
    public boolean planOnly() {
        return holders == null;
    }

    /** Whether a Hasp process parked this lock (see {@link #PARKED}). */
    public boolean parked() {
        return PARKED.equals(state);
    }

    static LockFileContent of(LockType type, List<Holder> holders, String state, Instant now) {
        Holder first = holders.isEmpty() ? null : holders.get(0);
        ProcessIdentity self = ProcessIdentity.current();
        return new LockFileContent(first == null ? self.pid() : first.pid(), instant(now),
                first == null ? self.hostname() : first.hostname(), type, state, List.copyOf(holders));
    }

    /** This content with {@code state} and a fresh {@code timestamp}. */
    LockFileContent with(String newState, Instant now) {
        return new LockFileContent(pid, instant(now), hostname, type, newState, holders);
    }

    /** This content with {@code holders} and a fresh {@code timestamp}; the plan's members follow the first. */
    LockFileContent withHolders(List<Holder> newHolders, Instant now) {
        return of(effectiveType(), newHolders, state, now);
    }

    /**
     * An instant as written in lock files: ISO-8601 UTC with all nine fraction digits, so that every value has the
     * same length. A heartbeat then changes digits only, and can be written over the old content in place (see
     * {@code LockFileEngine}); {@link Instant#toString()} drops trailing zeros.
     */
    static String instant(Instant t) {
        // by hand: a DateTimeFormatter costs more than the rest of an uncontended lock cycle's CPU
        java.time.LocalDateTime d = java.time.LocalDateTime.ofEpochSecond(t.getEpochSecond(), t.getNano(),
                java.time.ZoneOffset.UTC);
        int[] fields = {d.getYear(), d.getMonthValue(), d.getDayOfMonth(), d.getHour(), d.getMinute(), d.getSecond(),
                d.getNano()};
        char[] c = new char[30];
        int at = 0;
        for (int i = 0; i < fields.length; i++) {
            for (int end = at + WIDTHS[i], v = fields[i]; end > at; v /= 10) {
                c[--end] = (char) ('0' + v % 10);
            }
            at += WIDTHS[i];
            c[at++] = AFTER.charAt(i);
        }
        return new String(c);
    }

    static Optional<Instant> parse(String instant) {
        if (instant == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(Instant.parse(instant));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
