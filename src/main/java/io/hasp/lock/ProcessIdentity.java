package io.hasp.lock;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who this process is, in the terms the lock-file protocol records, and whether a process recorded by someone else
 * on this machine is still the one that wrote the lock.
 *
 * <p>Why each member: {@code hostname} is what gethostname(2) returns (read from the kernel, as {@code hostname(1)}
 * and Node's {@code os.hostname()} do, never from DNS), so tools in other languages agree on which host a lock
 * belongs to. {@code processStart} defeats PID reuse. {@code pidNamespace} tells two containers that share a
 * hostname apart (their pids mean nothing to each other). {@code bootId} tells a lock from before a reboot.
 */
public record ProcessIdentity(long pid, String hostname, Optional<Instant> processStart, Optional<String> pidNamespace,
                              Optional<String> bootId) {

    /** Start times read by two JVMs for one process may differ by the kernel's boot-time rounding. */
    private static final Duration START_TOLERANCE = Duration.ofSeconds(2);

    /** Pids seen to be the processes recorded (see {@link #isAlive}); forgotten all at once past this many. */
    private static final int CONFIRMED_MAX = 1024;
    private static final ConcurrentHashMap<Long, Confirmed> CONFIRMED = new ConcurrentHashMap<>();

    /** System property naming the host this process presents itself as; see {@link #readHostname()}. */
    public static final String HOSTNAME_OVERRIDE = "hasp.lock.hostname-override";

    private static final ProcessIdentity CURRENT = readCurrent();

    public static ProcessIdentity current() {
        return CURRENT;
    }

    private static ProcessIdentity readCurrent() {
        ProcessHandle self = ProcessHandle.current();
        return new ProcessIdentity(self.pid(), readHostname(), self.info().startInstant(),
                readLink("/proc/self/ns/pid"), readFirstLine("/proc/sys/kernel/random/boot_id"));
    }

    /**
     * The host name gethostname(2) gives, unless the system property {@value #HOSTNAME_OVERRIDE} is set: tests use
     * it to run a child process that presents itself as another host, the only way to exercise on one machine the
     * rules that apply between hosts.
     */
    static String readHostname() {
        String override = System.getProperty(HOSTNAME_OVERRIDE);
        if (override != null && !override.isBlank()) {
            return override;
        }
        return readFirstLine("/proc/sys/kernel/hostname")
                .or(() -> Optional.ofNullable(System.getenv("HOSTNAME")).filter(h -> !h.isBlank()))
                .orElseGet(() -> {
                    try {
                        return InetAddress.getLocalHost().getHostName();
                    } catch (IOException e) {
                        return "localhost";
                    }
                });
    }

    private static Optional<String> readFirstLine(String file) {
        try {
            String text = Files.readString(Path.of(file), StandardCharsets.UTF_8).trim();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> readLink(String link) {
        try {
            return Optional.of(Files.readSymbolicLink(Path.of(link)).toString());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether a holder recorded with these members ran on this machine, in this pid namespace, since this boot:
     * only then do its pid and start time mean something here. A member the holder did not record (tools that
     * know only the plan) does not disqualify it.
     */
    boolean sharesProcessTable(String holderHost, String holderPidNs, String holderBootId) {
        return hostname.equals(holderHost)
                && (holderPidNs == null || pidNamespace.isEmpty() || pidNamespace.get().equals(holderPidNs))
                && (holderBootId == null || bootId.isEmpty() || bootId.get().equals(holderBootId));
    }

    /** Same host and pid namespace but another boot: every process recorded then is gone. */
    boolean rebootedSince(String holderHost, String holderPidNs, String holderBootId) {
        return hostname.equals(holderHost)
                && (holderPidNs == null || pidNamespace.isEmpty() || pidNamespace.get().equals(holderPidNs))
                && holderBootId != null && bootId.isPresent() && !bootId.get().equals(holderBootId);
    }

    /**
     * Whether process {@code pid} of this machine is alive and, when {@code recordedStart} is known, is the process
     * that started then (not a later process that reused the pid). Zombies count as gone.
     *
     * <p>The start time comes from {@link ProcessHandle.Info}, which reads the process' command line, executable and
     * user as well (a dozen system calls, {@code /etc/passwd} included); a waiter asks about the same holder again
     * and again. So once a pid is seen to be the process recorded, its kernel start time (field 22 of
     * {@code /proc/<pid>/stat}, clock ticks since boot) is remembered: while that field is unchanged the process is
     * the same one, and one read of {@code /proc/<pid>/stat} answers. A pid reused by another process has another
     * start time and is judged again in full.
     */
    static boolean isAlive(long pid, Instant recordedStart) {
        Optional<String[]> stat = procStat(pid);
        if (stat.isPresent()) {
            String[] fields = stat.get();
            if (fields[0].equals("Z") || fields[0].equals("X")) {
                return false;
            }
            if (recordedStart == null) {
                return true;
            }
            Confirmed known = CONFIRMED.get(pid);
            if (known != null && known.recordedStart().equals(recordedStart) && known.ticks().equals(fields[19])) {
                return true;
            }
        }
        Optional<ProcessHandle> handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) {
            return false;
        }
        if (recordedStart == null) {
            return true;
        }
        Optional<Instant> start = handle.get().info().startInstant();
        boolean same = start.isEmpty()
                || Duration.between(start.get(), recordedStart).abs().compareTo(START_TOLERANCE) <= 0;
        if (same && start.isPresent() && stat.isPresent()) {
            if (CONFIRMED.size() >= CONFIRMED_MAX) {
                CONFIRMED.clear();
            }
            CONFIRMED.put(pid, new Confirmed(recordedStart, stat.get()[19]));
        }
        return same;
    }

    /** A pid seen to be the process recorded as started at {@code recordedStart}, and its kernel start time. */
    private record Confirmed(Instant recordedStart, String ticks) {
    }

    /**
     * The fields of {@code /proc/<pid>/stat} after the command name (state first, start time at index 19), or empty
     * when it cannot be read (no such process, or no {@code /proc}).
     */
    private static Optional<String[]> procStat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
            int close = stat.lastIndexOf(')');
            if (close < 0 || close + 2 >= stat.length()) {
                return Optional.empty();
            }
            String[] fields = stat.substring(close + 2).trim().split(" ");
            return fields.length > 19 ? Optional.of(fields) : Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
