package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

/**
 * The judge's rules, on a test clock: a pid means something only in the pid namespace it was recorded in. A holder
 * that recorded none (a tool that knows only the plan, perhaps in a sidecar container that shares our hostname) is
 * judged by silence, never by whether its pid is alive here.
 */
class StalenessJudgeTest {

    private static final Duration STALE = Duration.ofSeconds(10);
    private static final ProcessIdentity SELF = ProcessIdentity.current();

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private final StalenessJudge judge = new StalenessJudge(STALE, Clock.systemUTC(), nanos::get,
            (owner, lockFile) -> false);

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    /** What a plan-only file {@code {pid, timestamp, hostname}} is read as. */
    private static LockFileContent.Holder planOnly(long pid, String host) {
        return new LockFileContent(pid, Instant.now().toString(), host, null, null, null).effectiveHolders().get(0);
    }

    /** A holder written by Hasp on this machine, in the given pid namespace. */
    private static LockFileContent.Holder hasp(long pid, String pidNamespace) {
        return new LockFileContent.Holder("owner-" + pid, pid, SELF.hostname(), null, pidNamespace,
                SELF.bootId().orElse(null), Instant.now().toString(), Instant.now().toString(), 1L, null, null);
    }

    private boolean stale(LockFileContent.Holder holder) {
        return judge.isStale("/data/q.json.lock", holder, "fingerprint-1");
    }

    @Test
    void planOnlyHolderWithADeadPidOnOurHostnameIsNotStaleUntilSilentForStaleAfter() throws Exception {
        // its pid may belong to another pid namespace (a sidecar with our hostname), where it may well be alive
        LockFileContent.Holder holder = planOnly(deadPid(), SELF.hostname());

        assertFalse(stale(holder), "a pid of unknown namespace says nothing about the holder");
        nanos.addAndGet(STALE.toNanos() - 1);
        assertFalse(stale(holder));
        nanos.addAndGet(1);
        assertTrue(stale(holder), "silent for stale-after");
    }

    @Test
    void planOnlyHolderWithALivePidOnOurHostnameIsStaleOnceSilentForStaleAfter() {
        // our own pid is alive here, and means nothing for a holder that recorded no namespace
        LockFileContent.Holder holder = planOnly(SELF.pid(), SELF.hostname());

        assertFalse(stale(holder));
        nanos.addAndGet(STALE.toNanos());
        assertTrue(stale(holder), "a live pid here does not keep a silent foreign holder alive forever");
    }

    @Test
    void haspHolderOfOurPidNamespaceIsJudgedByItsProcess() throws Exception {
        String ns = SELF.pidNamespace().orElse(null);
        assumeTrue(ns != null, "needs /proc/self/ns/pid");

        assertTrue(stale(hasp(deadPid(), ns)), "a dead process of our namespace is stale at once");
        LockFileContent.Holder alive = hasp(ProcessHandle.current().parent().orElseThrow().pid(), ns);
        nanos.addAndGet(STALE.toNanos() * 100);
        assertFalse(stale(alive), "a live process of our namespace is never stale");
    }

    @Test
    void haspHolderOfAnotherPidNamespaceIsJudgedBySilence() throws Exception {
        LockFileContent.Holder holder = hasp(deadPid(), "pid:[1]");

        assertFalse(stale(holder));
        nanos.addAndGet(STALE.toNanos());
        assertTrue(stale(holder));
    }
}
