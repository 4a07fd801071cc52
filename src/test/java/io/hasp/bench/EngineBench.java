package io.hasp.bench;

import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;

import io.hasp.TestConfig;
import io.hasp.lock.LockEngineSettings;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockResult;

/**
 * Load harness for the lock engine: acquire+release cycles per second and the latency of one cycle (waiting
 * included), next to the floor of the lock-file protocol (a bare {@code O_CREAT|O_EXCL} create and unlink) in the
 * same run, so that the figures compare as ratios on a noisy machine. Prints one line per case:
 * {@code case=<name> clients=<n> ops_per_s=<n> p50_us=<n> p99_us=<n> n=<ops>}.
 *
 * <p>Arguments: {@code DIR [SECONDS_PER_CASE] [WARMUP_SECONDS]}. Run it with {@code bench/engine.sh}.
 */
public final class EngineBench {

    private EngineBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Files.createDirectories(dir);
        Duration run = Duration.ofSeconds(args.length > 1 ? Long.parseLong(args[1]) : 5);
        Duration warmup = Duration.ofSeconds(args.length > 2 ? Long.parseLong(args[2]) : 2);
        LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine());
        LockOptions wait = LockOptions.defaults().withTimeout(Duration.ofSeconds(60)).withMaxRetries(1_000_000)
                .withRetryInterval(Duration.ofMillis(1));
        System.out.println("# java " + System.getProperty("java.version") + ", " + Runtime.getRuntime()
                .availableProcessors() + " cpus, dir " + dir + ", " + run.toSeconds() + " s per case");
        for (int clients : new int[] {1, 8, 32}) {
            Path floor = dir.resolve("floor-" + clients + ".lock");
            measure("oexcl-floor", clients, run, warmup, () -> oexclCycle(floor));
            Path res = dir.resolve("engine-" + clients + ".json");
            measure("engine", clients, run, warmup, () -> engineCycle(engine, res, wait));
        }
        engine.close();
        System.exit(0);
    }

    @FunctionalInterface
    private interface Cycle {
        void run() throws Exception;
    }

    /** The protocol's floor: create with O_EXCL (retrying after 1 ms when busy, as the peers bench does), unlink. */
    private static void oexclCycle(Path lock) throws Exception {
        while (true) {
            try {
                FileChannel.open(lock, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE).close();
                break;
            } catch (FileAlreadyExistsException e) {
                Thread.sleep(1); // a benchmark's floor: spin on the lock file as a naive client would
            }
        }
        Files.delete(lock);
    }

    private static void engineCycle(LockFileEngine engine, Path res, LockOptions options) {
        LockResult r = engine.acquire(res, options).await().atMost(Duration.ofSeconds(90));
        if (!(r instanceof LockResult.Acquired a)) {
            throw new IllegalStateException(r.toString());
        }
        LockHandle h = a.handle();
        h.release().await().atMost(Duration.ofSeconds(30));
    }

    private static void measure(String name, int clients, Duration run, Duration warmup, Cycle cycle)
            throws Exception {
        AtomicBoolean recording = new AtomicBoolean(false);
        AtomicBoolean stop = new AtomicBoolean(false);
        long[][] samples = new long[clients][];
        int[] counts = new int[clients];
        CountDownLatch done = new CountDownLatch(clients);
        for (int c = 0; c < clients; c++) {
            int id = c;
            samples[id] = new long[1 << 20];
            Thread t = new Thread(() -> {
                try {
                    while (!stop.get()) {
                        long start = System.nanoTime();
                        cycle.run();
                        long took = System.nanoTime() - start;
                        if (recording.get() && counts[id] < samples[id].length) {
                            samples[id][counts[id]++] = took;
                        }
                    }
                } catch (Exception e) {
                    System.err.println(name + ": " + e);
                } finally {
                    done.countDown();
                }
            }, name + "-" + id);
            t.start();
        }
        Thread.sleep(warmup.toMillis()); // time is the subject: a timed warm-up
        recording.set(true);
        long start = System.nanoTime();
        Thread.sleep(run.toMillis()); // time is the subject: a timed run
        recording.set(false);
        long elapsed = System.nanoTime() - start;
        stop.set(true);
        done.await();
        int n = Arrays.stream(counts).sum();
        long[] all = new long[n];
        int k = 0;
        for (int c = 0; c < clients; c++) {
            System.arraycopy(samples[c], 0, all, k, counts[c]);
            k += counts[c];
        }
        Arrays.sort(all);
        long p50 = n == 0 ? 0 : all[n / 2] / 1000;
        long p99 = n == 0 ? 0 : all[Math.min(n - 1, (int) (n * 0.99))] / 1000;
        System.out.printf("case=%s clients=%d ops_per_s=%.0f p50_us=%d p99_us=%d n=%d%n", name, clients,
                n / (elapsed / 1e9), p50, p99, n);
    }
}
