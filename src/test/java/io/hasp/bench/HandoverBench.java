package io.hasp.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.hasp.TestConfig;
import io.hasp.lock.LockEngineSettings;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockResult;

/**
 * Cross-process hand-over of the lock engine: two JVMs take one lock in turn, each holding it 2 ms; the time from a
 * release in one JVM to the grant in the other is measured on the monotonic clock both share. Prints
 * {@code RESULT handovers=<n> regrants=<n> p50_us=<n> p99_us=<n> max_us=<n>}.
 *
 * <p>Arguments: {@code DIR SECONDS [WARMUP_SECONDS]} (warm-up 2 s by default: hand-overs while the JIT compiles the
 * engine are not counted, as in the other benchmarks). The other JVM is this class started with
 * {@code child DIR SECONDS FROM}, {@code FROM} being the monotonic time from which hand-overs count.
 */
public final class HandoverBench {

    private HandoverBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("child")) {
            long from = Long.parseLong(args[3]);
            for (long[] e : cycle(Path.of(args[1]), from + Duration.ofSeconds(Long.parseLong(args[2])).toNanos())) {
                System.out.println(e[0] + " " + e[1]);
            }
            System.out.flush();
            System.exit(0);
        }
        Path dir = Files.createDirectories(Path.of(args[0]));
        long seconds = Long.parseLong(args[1]);
        long warmup = args.length > 2 ? Long.parseLong(args[2]) : 2;
        long from = System.nanoTime() + Duration.ofSeconds(warmup).toNanos();
        Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), HandoverBench.class.getName(), "child", dir.toString(),
                Long.toString(seconds), Long.toString(from))).redirectErrorStream(true).start();
        List<long[]> mine = cycle(dir, from + Duration.ofSeconds(seconds).toNanos());
        List<long[]> theirs = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                String[] p = line.split(" ");
                theirs.add(new long[] {Long.parseLong(p[0]), Long.parseLong(p[1])});
            }
        }
        child.waitFor();
        List<Long> delays = new ArrayList<>();
        int[] regrants = new int[1];
        collect(mine, theirs, from, delays, regrants);
        collect(theirs, mine, from, delays, regrants);
        delays.sort(null);
        int n = delays.size();
        System.out.printf("RESULT handovers=%d regrants=%d p50_us=%d p99_us=%d max_us=%d%n", n, regrants[0],
                n == 0 ? 0 : delays.get(n / 2) / 1000, n == 0 ? 0 : delays.get(Math.min(n - 1, n * 99 / 100)) / 1000,
                n == 0 ? 0 : delays.get(n - 1) / 1000);
        System.exit(0);
    }

    /**
     * Release-to-grant delays of hand-overs: a grant whose latest preceding release (of either process) was the other
     * process'. A grant that follows a release of its own process is a re-grant, not a hand-over: it is counted in
     * {@code regrants} (with a waiter in the other process, a fair engine makes few). Grants before {@code since}
     * (the warm-up) are not counted.
     */
    private static void collect(List<long[]> to, List<long[]> from, long since, List<Long> delays, int[] regrants) {
        int j = -1;
        int k = -1;
        for (long[] grant : to) {
            while (j + 1 < from.size() && from.get(j + 1)[1] < grant[0]) {
                j++;
            }
            while (k + 1 < to.size() && to.get(k + 1)[1] < grant[0]) {
                k++;
            }
            if (grant[0] - since < 0) {
                continue;
            }
            long theirs = j < 0 ? Long.MIN_VALUE : from.get(j)[1];
            long own = k < 0 ? Long.MIN_VALUE : to.get(k)[1];
            if (j >= 0 && theirs - own > 0) {
                delays.add(grant[0] - theirs);
            } else if (k >= 0) {
                regrants[0]++;
            }
        }
    }

    /** Takes the lock in a loop until the monotonic time {@code until}, holding it 2 ms; answers (grant, release). */
    private static List<long[]> cycle(Path dir, long until) throws Exception {
        LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine());
        Path res = dir.resolve("handover.json");
        List<long[]> out = new ArrayList<>();
        LockOptions options = TestConfig.lockOptions().withTimeout(Duration.ofSeconds(30)).withMaxRetries(1_000_000);
        while (System.nanoTime() - until < 0) {
            LockHandle h = ((LockResult.Acquired) engine.acquire(res, options).await().atMost(Duration.ofSeconds(60)))
                    .handle();
            long granted = System.nanoTime();
            Thread.sleep(2); // hold: the other process is waiting by then
            long released = System.nanoTime();
            h.release().await().atMost(Duration.ofSeconds(30));
            out.add(new long[] {granted, released});
        }
        engine.close();
        return out;
    }
}
