package io.hasp.lock;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.hasp.TestConfig;
import io.smallrye.mutiny.Uni;

/**
 * A separate OS process for the multi-process tests: one JVM that uses the engine on a shared directory and reports
 * on stdout, one line per event. Run with the test class path.
 *
 * <ul>
 *   <li>{@code increment RESOURCE COUNTER N}: N times, under the lock, read the counter file, add one, write it back
 *       in place (not atomically: only the lock keeps increments from being lost). Prints {@code DONE}.</li>
 *   <li>{@code hold RESOURCE MILLIS [exclusive|shared]}: acquires, prints {@code ACQUIRED token}, holds, then prints {@code INTACT} or
 *       {@code LOST} (whether the lock file still names this grant), releases, prints {@code RELEASED}.</li>
 *   <li>{@code cycle RESOURCE N HOLD_MS}: N times acquires, holds, checks that the lock file still names this grant,
 *       releases; prints {@code CYCLED intact/N}.</li>
 *   <li>{@code race RESOURCE START_EPOCH_MS HOLD_MS [exclusive|shared]}: waits for the start instant, tries once (timeout 0), prints
 *       {@code WON token} or {@code BUSY}; a winner holds, checks and releases as {@code hold} does.</li>
 *   <li>{@code wait RESOURCE RETRY_INTERVAL_MS}: asks for the exclusive lock with a five-minute timeout and the given
 *       retry interval, prints {@code WAITING}, then {@code ACQUIRED token} when granted (and releases).</li>
 *   <li>{@code hammer RESOURCE GO_FILE MILLIS THREADS}: takes the lock once, prints {@code READY}, waits for
 *       GO_FILE to exist, then THREADS threads acquire and release the exclusive lock in a loop for MILLIS; prints
 *       {@code COUNT n}, the grants this process got meanwhile.</li>
 * </ul>
 * System properties: {@code stale.after.ms} sets the engine's stale-after (default 10 s), {@code retry.cap.ms} its
 * retry cap (default 50 ms). {@code wait} also prints, when granted, {@code AT nanoTime} (the monotonic clock, which
 * every process of the host shares).
 */
public final class LockWorker {

    private LockWorker() {
    }

    public static void main(String[] args) throws Exception {
        long staleMs = Long.getLong("stale.after.ms", 10_000);
        long capMs = Long.getLong("retry.cap.ms", 50);
        LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine()
                .withStaleAfter(Duration.ofMillis(staleMs)).withRetryCap(Duration.ofMillis(capMs)));
        Path resource = Path.of(args[1]);
        switch (args[0]) {
            case "increment" -> increment(engine, resource, Path.of(args[2]), Integer.parseInt(args[3]));
            case "hold" -> hold(engine, resource, Long.parseLong(args[2]), type(args, 3));
            case "cycle" -> cycle(engine, resource, Integer.parseInt(args[2]), Long.parseLong(args[3]));
            case "wait" -> waitFor(engine, resource, Long.parseLong(args[2]));
            case "hammer" -> hammer(engine, resource, Path.of(args[2]), Long.parseLong(args[3]),
                    Integer.parseInt(args[4]));
            case "race" -> race(engine, resource, Long.parseLong(args[2]), Long.parseLong(args[3]), type(args, 4));
            default -> throw new IllegalArgumentException(args[0]);
        }
        engine.close();
        System.exit(0);
    }

    private static LockType type(String[] args, int index) {
        return args.length > index ? LockType.fromWire(args[index]) : LockType.EXCLUSIVE;
    }

    private static void increment(LockFileEngine engine, Path resource, Path counter, int n) {
        LockOptions options = LockOptions.defaults().withMaxRetries(100_000).withTimeout(Duration.ofMinutes(2))
                .withRetryInterval(Duration.ofMillis(1));
        for (int i = 0; i < n; i++) {
            engine.withLock(resource, () -> Uni.createFrom().item(() -> {
                try {
                    String text = Files.exists(counter) ? Files.readString(counter).trim() : "";
                    int value = text.isEmpty() ? 0 : Integer.parseInt(text);
                    Files.writeString(counter, Integer.toString(value + 1), StandardCharsets.UTF_8);
                    return value + 1;
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }), options).await().atMost(Duration.ofMinutes(2));
        }
        say("DONE");
    }

    private static void hold(LockFileEngine engine, Path resource, long millis, LockType type) throws Exception {
        LockResult r = engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ofSeconds(30))
                .withMaxRetries(100_000).withType(type)).await().atMost(Duration.ofSeconds(60));
        LockHandle h = ((LockResult.Acquired) r).handle();
        say("ACQUIRED " + h.fencingToken());
        Thread.sleep(millis); // time is the subject: the child holds as long as the parent asked
        finish(engine, h);
    }

    private static void waitFor(LockFileEngine engine, Path resource, long retryMs) throws Exception {
        var result = engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ofMinutes(5))
                .withMaxRetries(1_000_000).withRetryInterval(Duration.ofMillis(retryMs))).subscribeAsCompletionStage();
        say("WAITING");
        LockHandle h = ((LockResult.Acquired) result.get()).handle();
        long at = System.nanoTime();
        say("ACQUIRED " + h.fencingToken());
        say("AT " + at);
        h.release().await().atMost(Duration.ofSeconds(10));
    }

    private static void hammer(LockFileEngine engine, Path resource, Path go, long millis, int threads)
            throws Exception {
        // warm up (class loading, the first grant) before the start, so that processes that started late do not
        // count as slow
        ((LockResult.Acquired) engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ofSeconds(60)))
                .await().atMost(Duration.ofSeconds(90))).handle().release().await().atMost(Duration.ofSeconds(30));
        say("READY");
        while (!Files.exists(go)) {
            Thread.sleep(1); // test scaffolding: the parent creates the file when every process is ready
        }
        long until = System.nanoTime() + Duration.ofMillis(millis).toNanos();
        java.util.concurrent.atomic.AtomicInteger count = new java.util.concurrent.atomic.AtomicInteger();
        List<Thread> all = new java.util.ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (System.nanoTime() - until < 0) {
                    LockResult r = engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ofSeconds(30))
                            .withMaxRetries(1_000_000)).await().atMost(Duration.ofSeconds(60));
                    if (r instanceof LockResult.Acquired a) {
                        if (System.nanoTime() - until < 0) {
                            count.incrementAndGet();
                        }
                        a.handle().release().await().atMost(Duration.ofSeconds(30));
                    }
                }
            });
            t.start();
            all.add(t);
        }
        for (Thread t : all) {
            t.join();
        }
        say("COUNT " + count.get());
    }

    private static void cycle(LockFileEngine engine, Path resource, int times, long holdMs) throws Exception {
        int intact = 0;
        for (int i = 0; i < times; i++) {
            LockResult r = engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ofSeconds(60))
                    .withMaxRetries(1_000_000).withRetryInterval(Duration.ofMillis(2))).await()
                    .atMost(Duration.ofSeconds(90));
            LockHandle h = ((LockResult.Acquired) r).handle();
            Thread.sleep(holdMs); // time is the subject: a hold long enough for a rival to trespass
            String text = Files.exists(h.lockPath()) ? Files.readString(h.lockPath()) : "";
            if (names(text, engine, h) && h.isHeld()) {
                intact++;
            } else {
                System.err.println("LOST at " + i + " held=" + h.isHeld() + " file=" + text);
            }
            h.release().await().atMost(Duration.ofSeconds(10));
        }
        say("CYCLED " + intact + "/" + times);
    }

    private static void race(LockFileEngine engine, Path resource, long startAt, long holdMs, LockType type)
            throws Exception {
        long wait = startAt - System.currentTimeMillis();
        if (wait > 0) {
            Thread.sleep(wait); // time is the subject: every child races at the same instant
        }
        LockResult r = engine.acquire(resource, LockOptions.defaults().withTimeout(Duration.ZERO).withType(type))
                .await().atMost(Duration.ofSeconds(30));
        if (r instanceof LockResult.Acquired a) {
            say("WON " + a.handle().fencingToken());
            Thread.sleep(holdMs); // time is the subject: the winner holds while the others try
            finish(engine, a.handle());
        } else {
            say("BUSY");
        }
    }

    /** Whether the lock file names grant {@code h}: its lock id for a lease, this process' owner id otherwise. */
    private static boolean names(String lockFile, LockFileEngine engine, LockHandle h) {
        return lockFile.contains(h.expiresAt().isPresent() ? h.lockId() : engine.owner());
    }

    private static void finish(LockFileEngine engine, LockHandle h) throws Exception {
        String text = Files.exists(h.lockPath()) ? Files.readString(h.lockPath()) : "";
        say(names(text, engine, h) && h.isHeld() ? "INTACT" : "LOST");
        h.release().await().atMost(Duration.ofSeconds(10));
        say("RELEASED");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
