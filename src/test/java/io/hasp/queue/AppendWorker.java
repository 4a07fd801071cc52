package io.hasp.queue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;

import io.hasp.TestConfig;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;
import io.hasp.storage.FileStores;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.TestJson;

/**
 * A separate process for {@link QueueCrashTest}: appends commands {@code a0, a1, ...} to queue {@code q} of
 * {@code DATA_DIR} with CONCURRENCY appends in flight (so that they are committed in batches), and prints
 * {@code ACK <id>} for each one acknowledged, until it is killed.
 */
public final class AppendWorker {

    private AppendWorker() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        int concurrency = Integer.parseInt(args[1]);
        LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine());
        FileStores stores = new FileStores(engine, data)
                .withLockOptions(LockOptions.defaults().withTimeout(Duration.ofMinutes(1)));
        QueueRepository queues = new QueueRepository(stores, TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        try {
            queues.create("q", "crash").await().atMost(Duration.ofMinutes(1));
        } catch (RecordConflictException e) {
            // created by an earlier run
        }
        System.out.println("READY");
        System.out.flush();
        Semaphore inFlight = new Semaphore(concurrency);
        AtomicLong next = new AtomicLong();
        while (true) {
            inFlight.acquire();
            String id = "a" + next.getAndIncrement();
            queues.addCommand("q", new NewCommandRequest(id, "run " + id, null), OptionalLong.empty())
                    .subscribe().with(c -> {
                        synchronized (System.out) {
                            System.out.println("ACK " + id);
                            System.out.flush();
                        }
                        inFlight.release();
                    }, f -> inFlight.release());
        }
    }
}
