package io.hasp.lock;

import java.time.Instant;

/** Lock-file contents as other processes write them, for tests that plant a lock on disk. */
public final class PlantedLocks {

    private PlantedLocks() {
    }

    /** A plan-only file: {@code {pid, timestamp, hostname}} and nothing else, as a tool that knows only the plan. */
    public static String planOnly(long pid, String hostname) {
        return "{\"pid\": " + pid + ", \"timestamp\": \"" + Instant.now() + "\", \"hostname\": \"" + hostname + "\"}";
    }

    /**
     * A file written by a Hasp process of this machine, pid namespace and boot (an exclusive holder with process
     * {@code pid}), as a Hasp replica that crashed would leave it.
     */
    public static String localHolder(long pid) {
        ProcessIdentity self = ProcessIdentity.current();
        String now = Instant.now().toString();
        return "{\"pid\": " + pid + ", \"timestamp\": \"" + now + "\", \"hostname\": \"" + self.hostname()
                + "\", \"type\": \"exclusive\", \"holders\": [{\"owner\": \"crashed-" + pid + "\", \"pid\": " + pid
                + ", \"hostname\": \"" + self.hostname() + "\""
                + self.pidNamespace().map(ns -> ", \"pidNamespace\": \"" + ns + "\"").orElse("")
                + self.bootId().map(boot -> ", \"bootId\": \"" + boot + "\"").orElse("")
                + ", \"acquiredAt\": \"" + now + "\", \"heartbeat\": \"" + now + "\"}]}";
    }
}
