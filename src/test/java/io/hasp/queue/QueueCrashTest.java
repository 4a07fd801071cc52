package io.hasp.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;
import io.hasp.storage.FileStores;
import io.hasp.storage.TestJson;

/**
 * {@code kill -9} of a process in the middle of group-committed appends (issue 7): every append it acknowledged is
 * in the queue exactly once when another process reads it (folding the journal the dead one left).
 */
class QueueCrashTest {

    @TempDir
    Path data;

    @Test
    void killingAProcessDuringBatchesLosesNoAcknowledgedAppend() throws Exception {
        Set<String> acked = new HashSet<>();
        for (int round = 0; round < 2; round++) {
            Process child = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                    AppendWorker.class.getName(), data.toString(), "32"))
                    .redirectError(data.resolve("worker-" + round + ".err").toFile()).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                assertEquals("READY", out.readLine());
                int before = acked.size();
                String line;
                while (acked.size() < before + 400 && (line = out.readLine()) != null) {
                    acked.add(line.substring(4));
                }
                // kill -9: batches in flight are cut wherever they are (Process.destroyForcibly would also close
                // the output, losing acknowledgements already printed)
                new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor();
                while ((line = out.readLine()) != null) {
                    acked.add(line.substring(4));
                }
            }
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
        }

        LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine());
        try {
            FileStores stores = new FileStores(engine, data)
                    .withLockOptions(LockOptions.defaults().withTimeout(Duration.ofMinutes(1)));
            QueueRepository queues = new QueueRepository(stores, TestJson.mapper(), Clock.systemUTC(),
                    TestConfig.defaults());
            // a change takes the dead process' lock and folds its journal
            queues.addCommand("q", new NewCommandRequest("after", "run", null), java.util.OptionalLong.empty())
                    .await().atMost(Duration.ofMinutes(1));
            List<Command> commands = queues.get("q").await().atMost(Duration.ofMinutes(1)).orElseThrow().commands();
            Set<String> present = new HashSet<>();
            for (Command c : commands) {
                assertTrue(present.add(c.id()), "command " + c.id() + " present once");
            }
            for (String id : acked) {
                assertTrue(present.contains(id), "acknowledged append " + id + " is present");
            }
            System.out.printf("QUEUE-CRASH: 2 kills, %d appends acknowledged, %d commands present%n", acked.size(),
                    commands.size() - 1);
        } finally {
            engine.close();
        }
    }
}
