package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** {@link ProcessIdentity#isAlive}: the remembered start time must never make a dead or different process alive. */
class ProcessIdentityTest {

    @Test
    void theRecordedProcessIsAliveAndStaysSoWhenAskedAgain() {
        ProcessIdentity self = ProcessIdentity.current();
        Instant start = self.processStart().orElseThrow();
        assertTrue(ProcessIdentity.isAlive(self.pid(), start), "first judgement, in full");
        assertTrue(ProcessIdentity.isAlive(self.pid(), start), "second judgement, from the remembered start time");
        assertTrue(ProcessIdentity.isAlive(self.pid(), null), "no recorded start: alive by its pid");
    }

    @Test
    void anotherStartTimeForAConfirmedPidIsAnotherProcess() {
        ProcessIdentity self = ProcessIdentity.current();
        Instant start = self.processStart().orElseThrow();
        assertTrue(ProcessIdentity.isAlive(self.pid(), start));
        // as if the pid had been recorded by a process that started an hour earlier (pid reuse)
        assertFalse(ProcessIdentity.isAlive(self.pid(), start.minus(Duration.ofHours(1))));
        assertFalse(ProcessIdentity.isAlive(self.pid(), start.plus(Duration.ofHours(1))));
        assertTrue(ProcessIdentity.isAlive(self.pid(), start), "the recorded one is still itself");
    }

    @Test
    void aProcessThatDiedAfterBeingConfirmedIsGone() throws Exception {
        Process child = new ProcessBuilder("sleep", "60").start();
        try {
            Instant start = child.info().startInstant().orElseThrow();
            assertTrue(ProcessIdentity.isAlive(child.pid(), start), "alive, confirmed in full");
            assertTrue(ProcessIdentity.isAlive(child.pid(), start), "alive, from the remembered start time");
            child.destroyForcibly();
            assertTrue(child.waitFor(10, TimeUnit.SECONDS));
            assertFalse(ProcessIdentity.isAlive(child.pid(), start), "killed and reaped");
        } finally {
            child.destroyForcibly();
        }
    }

    @Test
    void aZombieIsGoneEvenWhenConfirmedBefore() throws Exception {
        // sh starts a child that exits at once and is never reaped while sh sleeps: after two seconds, a zombie
        Process sh = new ProcessBuilder("sh", "-c", "sleep 2 & exec sleep 30").start();
        try {
            long zombie = Awaitility.await("sh started its child").atMost(Duration.ofSeconds(10))
                    .until(() -> sh.children().findFirst().map(ProcessHandle::pid), Optional::isPresent).orElseThrow();
            Instant start = ProcessHandle.of(zombie).orElseThrow().info().startInstant().orElseThrow();
            assertTrue(ProcessIdentity.isAlive(zombie, start), "running, confirmed in full");
            Awaitility.await("the child has exited, unreaped").atMost(Duration.ofSeconds(20))
                    .until(() -> !ProcessIdentity.isAlive(zombie, start));
            String stat = Files.readString(Path.of("/proc", Long.toString(zombie), "stat"));
            assertTrue(stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z"), "a zombie, judged gone: " + stat);
        } finally {
            sh.destroyForcibly();
        }
    }
}
