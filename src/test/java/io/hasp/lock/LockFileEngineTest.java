package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.smallrye.mutiny.Uni;

/** Behaviour of the lock-file engine inside one JVM; {@link MultiProcessLockTest} covers several processes. */
class LockFileEngineTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final Duration STALE = Duration.ofMillis(600);

    @TempDir
    Path dir;

    private final List<LockFileEngine> engines = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();

    private LockFileEngine engine() {
        return engine(TestConfig.lockEngine().withStaleAfter(STALE).withRetryCap(Duration.ofMillis(100)));
    }

    private LockFileEngine engine(LockEngineSettings settings) {
        return engine(settings, LockEvents.NONE);
    }

    private LockFileEngine engine(LockEngineSettings settings, LockEvents events) {
        LockFileEngine e = new LockFileEngine(settings, events);
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(LockFileEngine::close);
        processes.forEach(Process::destroyForcibly);
    }

    private static LockHandle granted(LockResult r) {
        return assertInstanceOf(LockResult.Acquired.class, r, r::toString).handle();
    }

    private static LockResult.Failed failed(LockResult r) {
        return assertInstanceOf(LockResult.Failed.class, r, r::toString);
    }

    /** Heartbeats every 20 ms (each one rewrites the lock file), retries' pauses capped at 2 s. */
    private static LockEngineSettings beatingFast() {
        return TestConfig.lockEngine().withStaleAfter(Duration.ofMillis(100)).withRetryCap(Duration.ofSeconds(2));
    }

    private static LockOptions patient() {
        return TestConfig.lockOptions().withMaxRetries(100_000).withRetryInterval(Duration.ofMillis(5));
    }

    private Process sleeper() throws Exception {
        Process p = new ProcessBuilder("sleep", "60").start();
        processes.add(p);
        return p;
    }

    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    private void writePlanLock(String resource, long pid, String host) throws Exception {
        Files.writeString(dir.resolve(resource + ".lock"), PlantedLocks.planOnly(pid, host));
    }

    private void writeLocalHaspLock(String resource, long pid) throws Exception {
        Files.writeString(dir.resolve(resource + ".lock"), PlantedLocks.localHolder(pid));
    }

    private static String host() {
        return ProcessIdentity.current().hostname();
    }

    @Test
    void lockFileStartsWithThePlanMembers() throws Exception {
        LockHandle h = granted(engine().acquire(dir.resolve("a.json")).await().atMost(WAIT));
        String text = Files.readString(dir.resolve("a.json.lock"));
        assertTrue(text.indexOf("\"pid\"") < text.indexOf("\"timestamp\""), text);
        assertTrue(text.indexOf("\"timestamp\"") < text.indexOf("\"hostname\""), text);
        assertTrue(text.contains("\"pid\" : " + ProcessHandle.current().pid()), text);
        h.release().await().atMost(WAIT);
        assertFalse(Files.exists(dir.resolve("a.json.lock")));
    }

    @Test
    void planOnlyLockOfLiveProcessHoldsUsOffAndSaysWhoHoldsIt() throws Exception {
        Process other = sleeper();
        writePlanLock("p.json", other.pid(), host());
        LockResult r = engine().acquire(dir.resolve("p.json"), patient().withTimeout(Duration.ofMillis(400)))
                .await().atMost(WAIT);
        LockResult.Failed f = failed(r);
        assertEquals(LockResult.Reason.TIMEOUT, f.reason());
        assertEquals(other.pid(), f.holder().orElseThrow().pid());
        assertEquals(host(), f.holder().orElseThrow().hostname());
        assertTrue(f.message().contains("pid " + other.pid()), f.message());
    }

    @Test
    void localLockOfOurPidNamespaceIsReclaimedAtOnceWhenItsProcessDies() throws Exception {
        Process other = sleeper();
        writeLocalHaspLock("p.json", other.pid());
        LockFileEngine e = engine();
        Uni<LockResult> waiting = e.acquire(dir.resolve("p.json"), patient().withTimeout(Duration.ofSeconds(10)));
        var pending = waiting.subscribeAsCompletionStage();
        Awaitility.await("held while the process lives").during(Duration.ofMillis(300)).atMost(WAIT)
                .until(() -> !pending.isDone());
        other.destroyForcibly().waitFor();
        granted(pending.get(10, java.util.concurrent.TimeUnit.SECONDS));
    }

    @Test
    void lockOfDeadProcessOnThisHostIsStaleAtOnce() throws Exception {
        writeLocalHaspLock("d.json", deadPid());
        LockResult r = engine().acquire(dir.resolve("d.json"), TestConfig.lockOptions().withTimeout(Duration.ZERO))
                .await().atMost(WAIT);
        granted(r);
    }

    @Test
    void planOnlyLockOnOurHostnameIsJudgedBySilenceNotByItsPid() throws Exception {
        // no pid namespace recorded: the pid may be a sidecar container's, alive there though unknown here
        writePlanLock("sidecar.json", deadPid(), host());
        LockFileEngine e = engine();
        assertEquals(LockResult.Reason.LOCKED, failed(e.acquire(dir.resolve("sidecar.json"),
                TestConfig.lockOptions().withTimeout(Duration.ZERO)).await().atMost(WAIT)).reason());
        long start = System.nanoTime();
        granted(e.acquire(dir.resolve("sidecar.json"), patient()).await().atMost(WAIT));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= STALE.toMillis() / 2, "broken only after stale-after of silence: " + ms);
    }

    @Test
    void pidReusedByAnotherProcessIsStale() throws Exception {
        Process reused = sleeper();
        ProcessIdentity self = ProcessIdentity.current();
        String content = "{\"pid\": " + reused.pid() + ", \"timestamp\": \"" + Instant.now() + "\", \"hostname\": \""
                + host() + "\", \"type\": \"exclusive\", \"holders\": [{\"owner\": \"x\", \"pid\": " + reused.pid()
                + ", \"hostname\": \"" + host() + "\", \"processStart\": \""
                + Instant.now().minus(Duration.ofHours(3)) + "\", \"bootId\": \"" + self.bootId().orElse("") + "\","
                + " \"pidNamespace\": \"" + self.pidNamespace().orElse("") + "\","
                + " \"acquiredAt\": \"" + Instant.now() + "\", \"heartbeat\": \"" + Instant.now() + "\"}]}";
        Files.writeString(dir.resolve("r.json.lock"), content);
        granted(engine().acquire(dir.resolve("r.json"), TestConfig.lockOptions().withTimeout(Duration.ZERO))
                .await().atMost(WAIT));
    }

    @Test
    void remoteLockWithoutHeartbeatIsStaleOnlyAfterStaleAfterOfSilence() throws Exception {
        writePlanLock("remote.json", 1, "some-other-host");
        long start = System.nanoTime();
        granted(engine().acquire(dir.resolve("remote.json"), patient()).await().atMost(WAIT));
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertTrue(ms >= STALE.toMillis(), "judged by silence on our clock, not by its timestamp: " + ms);
    }

    @Test
    void remoteLockWhoseHeartbeatMovesIsNeverStale() throws Exception {
        Path lock = dir.resolve("beating.json.lock");
        AtomicInteger beat = new AtomicInteger();
        java.util.concurrent.Callable<Path> beatOnce = () -> Files.writeString(lock, "{\"pid\": 7, \"timestamp\": \""
                + Instant.now() + "\", \"hostname\": \"far-away\", \"type\": \"exclusive\", \"holders\": [{\"owner\": "
                + "\"o\", \"pid\": 7, \"hostname\": \"far-away\", \"heartbeat\": \"beat-" + beat.incrementAndGet()
                + "\"}]}");
        beatOnce.call(); // the remote holder holds the lock before anyone asks for it
        AtomicBoolean run = new AtomicBoolean(true);
        Thread beater = new Thread(() -> {
            while (run.get()) {
                try {
                    Thread.sleep(STALE.toMillis() / 5); // time is the subject: the remote holder's heartbeat
                    beatOnce.call();
                } catch (Exception e) {
                    return;
                }
            }
        });
        beater.start();
        try {
            LockResult r = engine().acquire(dir.resolve("beating.json"),
                    patient().withTimeout(STALE.multipliedBy(4))).await().atMost(WAIT);
            assertEquals(LockResult.Reason.TIMEOUT, failed(r).reason());
        } finally {
            run.set(false);
            beater.join();
        }
    }

    @Test
    void holderOfThisProcessKeepsItsLockFarPastStaleAfter() throws Exception {
        LockFileEngine a = engine();
        LockFileEngine b = engine();
        LockHandle h = granted(a.acquire(dir.resolve("long.json")).await().atMost(WAIT));
        LockResult r = b.acquire(dir.resolve("long.json"), patient().withTimeout(STALE.multipliedBy(3)))
                .await().atMost(WAIT);
        assertEquals(LockResult.Reason.TIMEOUT, failed(r).reason());
        assertTrue(h.isHeld());
        assertEquals(0, b.sweep(dir).staleLocksBroken(), "the sweeper leaves a live holder alone");
        h.release().await().atMost(WAIT);
    }

    @Test
    void timeoutAndLockedAreReportedExactly() throws Exception {
        LockFileEngine e = engine();
        Path res = dir.resolve("busy.json");
        LockHandle h = granted(e.acquire(res).await().atMost(WAIT));
        assertEquals(LockResult.Reason.LOCKED, failed(engine().acquire(res,
                TestConfig.lockOptions().withTimeout(Duration.ZERO)).await().atMost(WAIT)).reason());
        long start = System.nanoTime();
        assertEquals(LockResult.Reason.LOCKED, failed(engine().acquire(res, TestConfig.lockOptions()
                .withTimeout(Duration.ofSeconds(30)).withMaxRetries(2)).await().atMost(WAIT)).reason());
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "retries ran out long before 30 s");
        assertEquals(LockResult.Reason.TIMEOUT, failed(engine().acquire(res, patient()
                .withTimeout(Duration.ofMillis(300))).await().atMost(WAIT)).reason());
        h.release().await().atMost(WAIT);
    }

    @Test
    void aHoldersHeartbeatsDoNotUseUpTheRetriesOfAWaiterInAnotherProcess() throws Exception {
        // every heartbeat rewrites the holder's lock file, which wakes the other process' waiter at once, and the
        // waiter finds the lock held: these wake-ups are not the retries' schedule (3 retries, 400 ms doubling:
        // 2.8 s), so the waiter must not give up "locked" after the first few of them
        LockFileEngine a = engine(beatingFast());
        LockFileEngine b = engine(beatingFast());
        Path res = dir.resolve("beating.json");
        LockHandle h = granted(a.acquire(res).await().atMost(WAIT));
        var waiting = b.acquire(res, TestConfig.lockOptions().withTimeout(Duration.ofSeconds(20)).withMaxRetries(3)
                .withRetryInterval(Duration.ofMillis(400))).subscribeAsCompletionStage();
        Thread.sleep(1000); // time is the subject: some fifty heartbeats ring the waiter meanwhile
        assertFalse(waiting.isDone(), () -> "still waiting, not " + waiting.join());
        h.release().await().atMost(WAIT);
        granted(waiting.get(20, TimeUnit.SECONDS)).release().await().atMost(WAIT);
    }

    @Test
    void aProcessWhoseLockFileWasRemovedPassesItsTurnOn() throws Exception {
        // a process that got the lock through the turn queue keeps its turn while it holds; when someone else removes
        // its lock file (a breaker on another host, an operator) and its heartbeat finds its entry gone, the turn must
        // go on: else every other process would queue behind it for good
        LockFileEngine a = engine(beatingFast());
        LockFileEngine b = engine(beatingFast());
        Path res = dir.resolve("removed.json");
        Path canonical = LockPaths.canonical(res);
        LockHandle first = granted(b.acquire(res).await().atMost(WAIT));
        var queued = a.acquire(res, patient().withTimeout(Duration.ofSeconds(20))).subscribeAsCompletionStage();
        Awaitility.await("a waits behind b").atMost(WAIT).until(() -> a.local(canonical) != null
                && a.local(canonical).waiting() == 1);
        first.release().await().atMost(WAIT);
        LockHandle taken = granted(queued.get(20, TimeUnit.SECONDS));

        Files.delete(res.resolveSibling("removed.json.lock"));
        Awaitility.await("a's heartbeat finds its entry gone").atMost(WAIT)
                .until(() -> a.local(canonical) == null || !a.local(canonical).holdsFile());
        taken.release().onFailure().recoverWithNull().await().atMost(WAIT);

        granted(b.acquire(res, TestConfig.lockOptions().withTimeout(Duration.ofSeconds(3)).withMaxRetries(1000))
                .await().atMost(WAIT)).release().await().atMost(WAIT);
    }

    @Test
    void sharedHoldersCoexistAndExcludeAWriter() throws Exception {
        LockFileEngine e = engine();
        Path res = dir.resolve("s.json");
        LockOptions shared = TestConfig.lockOptions().withType(LockType.SHARED).withTimeout(Duration.ZERO);
        LockHandle r1 = granted(e.acquire(res, shared).await().atMost(WAIT));
        LockHandle r2 = granted(engine().acquire(res, shared).await().atMost(WAIT));
        assertEquals(2, e.holders(res).await().atMost(WAIT).size());
        assertEquals(LockResult.Reason.LOCKED, failed(engine().acquire(res,
                TestConfig.lockOptions().withTimeout(Duration.ZERO)).await().atMost(WAIT)).reason());
        r1.release().await().atMost(WAIT);
        r2.release().await().atMost(WAIT);
        LockHandle w = granted(engine().acquire(res, TestConfig.lockOptions().withTimeout(Duration.ZERO))
                .await().atMost(WAIT));
        assertEquals(LockResult.Reason.LOCKED, failed(engine().acquire(res, shared).await().atMost(WAIT)).reason(),
                "a writer excludes readers");
        w.release().await().atMost(WAIT);
    }

    @Test
    void steadyStreamOfReadersDoesNotStarveAWriter() throws Exception {
        Path res = dir.resolve("stream.json");
        AtomicBoolean run = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            LockFileEngine reader = engine();
            Thread t = new Thread(() -> {
                while (run.get()) {
                    LockResult r = reader.acquire(res, patient().withType(LockType.SHARED)
                            .withTimeout(Duration.ofSeconds(5))).await().atMost(WAIT);
                    if (r instanceof LockResult.Acquired a) {
                        reads.incrementAndGet();
                        try {
                            Thread.sleep(30); // time is the subject: a reader holds for a while
                        } catch (InterruptedException ex) {
                            return;
                        }
                        a.handle().release().await().atMost(WAIT);
                    }
                }
            });
            t.start();
            readers.add(t);
        }
        try {
            Awaitility.await().atMost(WAIT).until(() -> reads.get() >= 20);
            // four readers, each holding 30 ms and coming straight back: the lock is never free of readers
            LockResult r = engine().acquire(res, patient().withTimeout(Duration.ofSeconds(5))).await().atMost(WAIT);
            LockHandle w = granted(r);
            int during = reads.get();
            Awaitility.await("no reader gets in while the writer holds the lock").during(Duration.ofMillis(100))
                    .atMost(WAIT).until(() -> reads.get() == during);
            w.release().await().atMost(WAIT);
            Awaitility.await().atMost(WAIT).until(() -> reads.get() > during);
        } finally {
            run.set(false);
            for (Thread t : readers) {
                t.join();
            }
        }
    }

    @Test
    void releaseHandsTheLockToTheNextLocalWaiterWhileNoOtherProcessWaits() throws Exception {
        AtomicInteger handoffs = new AtomicInteger();
        LockEvents counting = new LockEvents() {
            @Override
            public void handedOff() {
                handoffs.incrementAndGet();
            }
        };
        LockFileEngine e = engine(TestConfig.lockEngine().withStaleAfter(STALE), counting);
        Path res = dir.resolve("h.json");
        LockHandle first = granted(e.acquire(res).await().atMost(WAIT));
        Object lockFileBefore = Files.readAttributes(dir.resolve("h.json.lock"),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        List<Uni<Long>> waiters = new ArrayList<>();
        List<Object> lockFiles = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 10; i++) {
            waiters.add(e.acquire(res, patient()).onItem().transformToUni(r -> {
                LockHandle h = granted(r);
                try {
                    lockFiles.add(Files.readAttributes(dir.resolve("h.json.lock"),
                            java.nio.file.attribute.BasicFileAttributes.class).fileKey());
                } catch (java.io.IOException io) {
                    throw new java.io.UncheckedIOException(io);
                }
                return h.release().replaceWith(h.fencingToken());
            }));
        }
        var all = Uni.join().all(waiters).andFailFast().subscribeAsCompletionStage();
        first.release().await().atMost(WAIT);
        List<Long> tokens = all.toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(10, handoffs.get(), "every release handed over directly: no other process waited");
        assertTrue(lockFiles.stream().allMatch(lockFileBefore::equals), "the lock file was never recreated");
        assertEquals(10, tokens.stream().distinct().count(), "a new fencing token for every grant");
        assertFalse(Files.exists(dir.resolve("h.json.lock")), "the last release removed the lock file");
    }

    @Test
    void fencingTokensIncreaseAcrossReleasesAndRestarts() throws Exception {
        Path res = dir.resolve("fence.json");
        long last = 0;
        for (int round = 0; round < 3; round++) {
            LockFileEngine e = engine();
            for (int i = 0; i < 5; i++) {
                LockHandle h = granted(e.acquire(res).await().atMost(WAIT));
                assertTrue(h.fencingToken() > last, h.fencingToken() + " after " + last);
                last = h.fencingToken();
                h.release().await().atMost(WAIT);
            }
            e.close();
        }
        Files.delete(dir.resolve(".fence.json.fence"));
        LockHandle h = granted(engine().acquire(res).await().atMost(WAIT));
        assertTrue(h.fencingToken() > last, "even a lost counter file does not send tokens back");
    }

    @Test
    void leaseEndsUnlessRenewedAndAnyEngineCanRenewOrReleaseIt() throws Exception {
        LockFileEngine a = engine();
        LockFileEngine b = engine();
        Path res = dir.resolve("lease");
        LockHandle h = granted(a.acquire(res, TestConfig.lockOptions().withLease(Duration.ofMillis(1500)))
                .await().atMost(WAIT));
        assertTrue(h.expiresAt().isPresent());
        Thread.sleep(700); // time is the subject: renewed well into the first lease
        LockHandle renewed = b.renew(res, h.lockId(), Duration.ofMillis(1500)).await().atMost(WAIT);
        assertTrue(renewed.expiresAt().orElseThrow().isAfter(h.expiresAt().orElseThrow()));
        Instant firstEnd = h.expiresAt().orElseThrow();
        Awaitility.await("past the first lease's end, within the renewed one").atMost(WAIT)
                .until(() -> Instant.now().isAfter(firstEnd.plusMillis(100)));
        assertEquals(LockResult.Reason.LOCKED, failed(b.acquire(res, TestConfig.lockOptions()
                .withTimeout(Duration.ZERO)).await().atMost(WAIT)).reason(), "renewed through another engine");
        LockHandle next = granted(b.acquire(res, patient().withTimeout(Duration.ofSeconds(5))
                .withLease(Duration.ofSeconds(30))).await().atMost(WAIT));
        assertTrue(next.fencingToken() > h.fencingToken());
        assertThrows(LockLostException.class,
                () -> a.renew(res, h.lockId(), Duration.ofSeconds(1)).await().atMost(WAIT));
        assertFalse(b.release(res, h.lockId()).await().atMost(WAIT), "an ended lease releases nothing");
        assertTrue(a.release(res, next.lockId()).await().atMost(WAIT));
    }

    @Test
    void releasingAnEndedLeaseThatIsStillOnDiskReleasesNothing() throws Exception {
        LockFileEngine e = engine();
        Path res = dir.resolve("ended-lease");
        LockHandle h = granted(e.acquire(res, TestConfig.lockOptions().withLease(Duration.ofMillis(100)))
                .await().atMost(WAIT));
        Instant end = h.expiresAt().orElseThrow();
        Awaitility.await().atMost(WAIT).until(() -> Instant.now().isAfter(end));
        assertTrue(Files.exists(dir.resolve("ended-lease.lock")), "no sweep has removed it yet");

        assertFalse(e.release(res, h.lockId()).await().atMost(WAIT), "an ended lease is no longer held");
        assertFalse(Files.exists(dir.resolve("ended-lease.lock")), "its file is cleaned up on the way");
    }

    @Test
    void sweepRemovesStaleLocksAndEndedLeasesButNoLiveOne() throws Exception {
        LockFileEngine e = engine();
        writeLocalHaspLock("dead.json", deadPid());
        Files.createDirectories(dir.resolve("locks"));
        Instant ends = granted(e.acquire(dir.resolve("locks/ended"), TestConfig.lockOptions()
                .withLease(Duration.ofMillis(50))).await().atMost(WAIT)).expiresAt().orElseThrow();
        LockHandle live = granted(e.acquire(dir.resolve("live.json")).await().atMost(WAIT));
        Path aside = dir.resolve(".old.json.lock.stale.0123456789abcdef");
        Files.writeString(aside, "{}");
        Files.setLastModifiedTime(aside, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(60)));
        Awaitility.await("the lease has ended").atMost(WAIT).until(() -> Instant.now().isAfter(ends));
        SweepReport report = e.sweep(dir);
        assertEquals(2, report.staleLocksBroken(), report.toString());
        assertEquals(1, report.leasesExpired(), report.toString());
        assertFalse(Files.exists(dir.resolve("dead.json.lock")));
        assertFalse(Files.exists(dir.resolve("locks/ended.lock")));
        assertTrue(Files.exists(dir.resolve("live.json.lock")));
        assertTrue(live.isHeld());
        assertFalse(Files.exists(aside), "a lock renamed aside by a breaker that died is removed");
    }

    /**
     * Everywhere a resource's monitor is taken before its guard (an attempt holds the monitor, then takes the guard).
     * A sweep that broke a lock used to wake the resource's waiters while it still held the guard: against an
     * attempt, each held what the other waited for, for good (found by a repro of MultiProcessIT's plan-only test:
     * two appends hung until the client gave up).
     */
    @Test
    void aSweepThatBreaksALockWakesItsWaitersOnlyOnceItGaveTheGuardBack() throws Exception {
        // heartbeats every few seconds: the resource's local lock is not retired (idle for two beats) meanwhile
        LockFileEngine e = engine(TestConfig.lockEngine().withStaleAfter(Duration.ofSeconds(30))
                .withRetryCap(Duration.ofMillis(100)));
        Path res = dir.resolve("swept.json");
        granted(e.acquire(res).await().atMost(WAIT)).release().await().atMost(WAIT);
        LocalLock local = e.local(res);
        assertTrue(local != null, "the resource's local lock outlives its first grant");
        long dead = deadPid();
        ExecutorService threads = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "sweep-order-test");
            t.setDaemon(true); // on the old code both stay blocked for good
            return t;
        });
        AtomicReference<java.util.concurrent.Future<SweepReport>> sweep = new AtomicReference<>();
        try {
            java.util.concurrent.Future<Boolean> attempt = threads.submit(() -> {
                synchronized (local) { // as an attempt holds it before it takes the guard
                    if (e.local(res) != local) {
                        throw new IllegalStateException("retired before the test began");
                    }
                    writeLocalHaspLock("swept.json", dead);
                    AtomicReference<Thread> sweeper = new AtomicReference<>();
                    sweep.set(threads.submit(() -> {
                        sweeper.set(Thread.currentThread());
                        return e.sweep(dir);
                    }));
                    Awaitility.await("the sweep broke the lock and waits for this monitor, or ended")
                            .atMost(WAIT).pollInterval(Duration.ofMillis(5))
                            .until(() -> Files.notExists(dir.resolve("swept.json.lock")) && (sweep.get().isDone()
                                    || sweeper.get() != null && sweeper.get().getState() == Thread.State.BLOCKED));
                    try (FenceFile.Guard guard = local.guard()) {
                        return guard != null;
                    }
                }
            });
            assertTrue(attempt.get(10, TimeUnit.SECONDS), "the attempt got the guard while the sweep rang");
            assertEquals(1, sweep.get().get(10, TimeUnit.SECONDS).staleLocksBroken(), "the sweep broke the lock");
        } catch (java.util.concurrent.TimeoutException stuck) {
            engines.remove(e); // its threads are deadlocked: closing it would block the suite for good
            throw new AssertionError("the sweep kept the guard while it waited for the waiters' monitor", stuck);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void sweepLeavesFilesOfValidNamesThatLookLikeAsidesAlone() throws Exception {
        Files.createDirectories(dir.resolve("queues"));
        List<Path> valid = List.of(dir.resolve("queues/a.lock.stale.b.json"), dir.resolve("a.lock.stale.b"),
                dir.resolve("queues/x.json.lock.stale.0123456789abcdef.json"));
        for (Path file : valid) {
            Files.writeString(file, "{}");
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(Instant.now().minusSeconds(3600)));
        }
        engine().sweep(dir);
        for (Path file : valid) {
            assertTrue(Files.exists(file), file.getFileName() + " is no lock renamed aside by a breaker");
        }
    }

    @Test
    void thousandWaitersHoldNoThreadWhileWaiting() {
        ExecutorService two = Executors.newFixedThreadPool(2);
        try {
            LockFileEngine e = engine(new LockEngineSettings(STALE, Duration.ofMillis(100), false, two,
                    Clock.systemUTC(), System::nanoTime, TestConfig.lockOptions()));
            Path res = dir.resolve("crowd.json");
            int[] counter = {0};
            List<Uni<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 1000; i++) {
                all.add(e.withLock(res, () -> Uni.createFrom().item(() -> ++counter[0]), patient()
                        .withTimeout(Duration.ofSeconds(60))));
            }
            Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(90));
            assertEquals(1000, counter[0], "1000 waiters on a 2-thread pool, all granted in turn");
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void cancelledAcquisitionLeavesNoLockBehind() throws Exception {
        LockFileEngine e = engine();
        Path res = dir.resolve("c.json");
        LockHandle h = granted(e.acquire(res).await().atMost(WAIT));
        AtomicReference<LockResult> delivered = new AtomicReference<>();
        var sub = e.acquire(res, patient()).subscribe().with(delivered::set);
        Awaitility.await("the waiter is queued").atMost(WAIT).until(() -> e.localWaiters() == 1);
        sub.cancel();
        h.release().await().atMost(WAIT);
        // time is the subject: a wrong grant may come late (the waiter retries every 5 ms, and a release wakes it), so
        // the lock must stay free for a while, not only just after the release
        Awaitility.await("the cancelled waiter never takes the lock").during(Duration.ofMillis(500))
                .atMost(Duration.ofSeconds(3))
                .until(() -> e.localGrants() == 0 && e.localWaiters() == 0 && !e.isLocked(res).await().atMost(WAIT));
        assertNull(delivered.get(), "nothing is delivered to a cancelled subscriber");
        granted(engine().acquire(res, TestConfig.lockOptions().withTimeout(Duration.ZERO)).await().atMost(WAIT));
    }

    @Test
    void proceedWithoutLockOnlyWhenConfigured() throws Exception {
        Path res = dir.resolve("f.json");
        LockHandle h = granted(engine().acquire(res).await().atMost(WAIT));
        LockOptions quick = TestConfig.lockOptions().withTimeout(Duration.ZERO);
        LockException ex = assertThrows(LockException.class, () -> engine().withLock(res,
                () -> Uni.createFrom().item("ran"), quick).await().atMost(WAIT));
        assertEquals(LockResult.Reason.LOCKED, ex.failure().reason());
        LockFileEngine lax = engine(TestConfig.lockEngine().withProceedWithoutLockOnFailure(true));
        assertEquals("ran", lax.withLock(res, () -> Uni.createFrom().item("ran"), quick).await().atMost(WAIT));
        h.release().await().atMost(WAIT);
    }

    @Test
    void acquireAllIsAllOrNoneInSortedOrder() throws Exception {
        LockFileEngine e = engine();
        LockHandle busy = granted(e.acquire(dir.resolve("b")).await().atMost(WAIT));
        LockResult r = engine().acquireAll(List.of(dir.resolve("c"), dir.resolve("b"), dir.resolve("a")),
                TestConfig.lockOptions().withTimeout(Duration.ZERO)).await().atMost(WAIT);
        failed(r);
        assertFalse(e.isLocked(dir.resolve("a")).await().atMost(WAIT), "a was released when b was busy");
        assertFalse(e.isLocked(dir.resolve("c")).await().atMost(WAIT));
        busy.release().await().atMost(WAIT);
        LockResult.Acquired all = assertInstanceOf(LockResult.Acquired.class, engine().acquireAll(
                List.of(dir.resolve("c"), dir.resolve("b"), dir.resolve("a")), TestConfig.lockOptions())
                .await().atMost(WAIT));
        assertEquals(List.of("a", "b", "c"), all.handles().stream()
                .map(h -> h.resource().getFileName().toString()).toList());
    }

    @Test
    void onlyTheHeadOfTheLocalQueuePollsTheFile() throws Exception {
        Process other = sleeper();
        writePlanLock("polled.json", other.pid(), host());
        LockFileEngine e = engine();
        int waiters = 20;
        List<Uni<LockResult>> all = new ArrayList<>();
        for (int i = 0; i < waiters; i++) {
            all.add(e.acquire(dir.resolve("polled.json"), patient().withTimeout(Duration.ofSeconds(20)))
                    .call(r -> ((LockResult.Acquired) r).handle().release()));
        }
        var done = Uni.join().all(all).andFailFast().subscribeAsCompletionStage();
        Thread.sleep(1500); // time is the subject: attempts are counted over 1.5 s of waiting
        long whileHeld = e.fileAttempts();
        other.destroyForcibly().waitFor();
        done.get(30, java.util.concurrent.TimeUnit.SECONDS);
        // the head backs off up to the 100 ms cap: about 15-25 attempts in 1.5 s, where 20 pollers would make 300+
        assertTrue(whileHeld < 60, "file attempts while a foreign process held the lock: " + whileHeld);
        assertTrue(whileHeld > 3, "the head did poll: " + whileHeld);
    }

    @Test
    void hostnameIsWhatGethostnameReturns() throws Exception {
        // uname -n prints the kernel's nodename, what gethostname(2) returns (and hostname(1), where installed)
        Process p = new ProcessBuilder("uname", "-n").start();
        String printed = new String(p.getInputStream().readAllBytes()).trim();
        assertEquals(0, p.waitFor());
        assertEquals(printed, ProcessIdentity.current().hostname());
    }

    @Test
    void aLiveLeaseLooksFreshToThePlansToolsEvenAfterItsGrantingEngineIsGone() throws Exception {
        // issue 8, defect 6: the plan's tools take a lock whose timestamp is older than five minutes
        io.hasp.storage.TestClock clock = new io.hasp.storage.TestClock(Instant.parse("2026-01-01T00:00:00Z"));
        LockEngineSettings settings = TestConfig.lockEngine().withStaleAfter(STALE).withClock(clock);
        LockFileEngine granting = engine(settings);
        Path res = dir.resolve("lease");
        granted(granting.acquire(res, TestConfig.lockOptions().withLease(Duration.ofMinutes(10))).await().atMost(WAIT));
        granting.close();
        LockFileEngine survivor = engine(settings);
        clock.advance(Duration.ofMinutes(6));

        survivor.sweep(dir);

        LockFileContent content = new com.fasterxml.jackson.databind.ObjectMapper()
                .readValue(Files.readAllBytes(dir.resolve("lease.lock")), LockFileContent.class);
        Instant stamped = Instant.parse(content.timestamp());
        assertFalse(stamped.isBefore(clock.instant().minusSeconds(60)),
                "timestamp " + stamped + " is fresh at " + clock.instant());
    }

    @Test
    void namesNoLongerLockedLeaveNoFilesBehindAndTheirTokensStillIncrease() throws Exception {
        // issue 8, defect 5: every name ever touched left a fence file forever, failed requests included
        LockFileEngine e = engine();
        Path locks = dir.resolve("locks");
        long firstToken = 0;
        for (int i = 0; i < 300; i++) {
            LockHandle h = granted(e.acquire(locks.resolve("n" + i), TestConfig.lockOptions()
                    .withLease(Duration.ofMinutes(1))).await().atMost(WAIT));
            if (i == 0) {
                firstToken = h.fencingToken();
            }
            h.release().await().atMost(WAIT);
        }
        for (int i = 0; i < 400; i++) {
            assertFalse(e.release(locks.resolve("m" + i), "0123456789abcdef0123456789abcdef").await().atMost(WAIT));
        }

        e.sweep(dir);

        try (var files = Files.list(locks)) {
            List<Path> left = files.toList();
            assertTrue(left.size() <= 2, left.size() + " files left: " + left.subList(0, Math.min(5, left.size())));
        }
        LockHandle again = granted(e.acquire(locks.resolve("n0"), TestConfig.lockOptions()
                .withLease(Duration.ofMinutes(1))).await().atMost(WAIT));
        assertTrue(again.fencingToken() > firstToken, again.fencingToken() + " after " + firstToken);
        again.release().await().atMost(WAIT);
    }

    @Test
    void aWaiterThatGivesUpWithTheTurnPassesItToTheNextProcess() throws Exception {
        // the turn is per process: two engines of one JVM are two processes here
        LockFileEngine first = engine();
        LockFileEngine second = engine();
        Path res = dir.resolve("turn.json");
        LockOptions lease = TestConfig.lockOptions().withLease(Duration.ofMinutes(1));
        LockHandle holder = granted(engine().acquire(res, lease).await().atMost(WAIT));
        var quitter = first.acquire(res, patient().withTimeout(Duration.ofMillis(300))).subscribeAsCompletionStage();
        org.awaitility.Awaitility.await().atMost(WAIT).until(() -> first.fileAttempts() > 0);
        var patientOne = second.acquire(res, patient().withTimeout(Duration.ofSeconds(20)).withLease(
                Duration.ofMinutes(1))).subscribeAsCompletionStage();
        assertEquals(LockResult.Reason.TIMEOUT, failed(quitter.toCompletableFuture().get(20,
                java.util.concurrent.TimeUnit.SECONDS)).reason());

        holder.release().await().atMost(WAIT);

        LockHandle next = granted(patientOne.toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS));
        next.release().await().atMost(WAIT);
    }
}
