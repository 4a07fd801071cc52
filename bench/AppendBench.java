import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Appends to one Hasp queue from CLIENTS threads, each sending POST /v1/queues/{queue}/commands one after another,
 * for WARMUP then DURATION seconds; prints one line: peer= case= ops_per_s= p50_us= p99_us= n= errors=.
 *
 * <p>Usage: java AppendBench.java PEER CASE CLIENTS WARMUP DURATION BASE_URL QUEUE TOKEN
 */
public final class AppendBench {

    public static void main(String[] args) throws Exception {
        String peer = args[0];
        String label = args[1];
        int clients = Integer.parseInt(args[2]);
        long warmupNs = Duration.ofSeconds(Long.parseLong(args[3])).toNanos();
        long durationNs = Duration.ofSeconds(Long.parseLong(args[4])).toNanos();
        String url = args[5] + "/v1/queues/" + args[6] + "/commands";
        String token = args[7];
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        AtomicInteger errors = new AtomicInteger();
        List<List<Long>> latencies = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        long start = System.nanoTime();
        long measureFrom = start + warmupNs;
        long end = measureFrom + durationNs;
        for (int c = 0; c < clients; c++) {
            List<Long> mine = new ArrayList<>();
            latencies.add(mine);
            int client = c;
            Thread t = new Thread(() -> {
                int i = 0;
                while (true) {
                    long t0 = System.nanoTime();
                    if (t0 >= end) {
                        return;
                    }
                    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                            .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"command\":\"bench " + client + " " + i++
                                    + "\"}")).build();
                    try {
                        HttpResponse<Void> r = http.send(request, HttpResponse.BodyHandlers.discarding());
                        long t1 = System.nanoTime();
                        if (r.statusCode() != 201) {
                            errors.incrementAndGet();
                        } else if (t0 >= measureFrom && t1 <= end) {
                            mine.add((t1 - t0) / 1000);
                        }
                    } catch (Exception e) {
                        errors.incrementAndGet();
                    }
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join();
        }
        List<Long> all = new ArrayList<>();
        latencies.forEach(all::addAll);
        Collections.sort(all);
        long p50 = all.isEmpty() ? 0 : all.get(all.size() / 2);
        long p99 = all.isEmpty() ? 0 : all.get(Math.min(all.size() - 1, (int) (all.size() * 0.99)));
        System.out.printf("peer=%s case=%s ops_per_s=%.0f p50_us=%d p99_us=%d n=%d errors=%d%n", peer, label,
                all.size() / (durationNs / 1e9), p50, p99, all.size(), errors.get());
    }
}
