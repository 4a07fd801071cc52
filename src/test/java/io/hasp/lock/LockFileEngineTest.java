package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.smallrye.mutiny.Uni;

class LockFileEngineTest {

    @TempDir
    Path dir;

    private final List<LockFileEngine> engines = new ArrayList<>();

    private LockFileEngine engine() {
        LockFileEngine e = new LockFileEngine(LockEngineSettings.defaults().withStaleAfter(Duration.ofMillis(600))
                .withRetryCap(Duration.ofMillis(100)));
        engines.add(e);
        return e;
    }

    @AfterEach
    void close() {
        engines.forEach(LockFileEngine::close);
    }

    private static LockHandle granted(LockResult r) {
        return assertInstanceOf(LockResult.Acquired.class, r, () -> r.toString()).handle();
    }

    @Test
    void lockFileStartsWithThePlanMembers() throws Exception {
        LockFileEngine e = engine();
        Path res = dir.resolve("a.json");
        LockHandle h = granted(e.acquire(res).await().atMost(Duration.ofSeconds(5)));
        String text = Files.readString(dir.resolve("a.json.lock"));
        assertTrue(text.indexOf("\"pid\"") < text.indexOf("\"timestamp\""), text);
        assertTrue(text.indexOf("\"timestamp\"") < text.indexOf("\"hostname\""), text);
        assertTrue(text.contains(Long.toString(ProcessHandle.current().pid())), text);
        h.release().await().atMost(Duration.ofSeconds(5));
        assertFalse(Files.exists(dir.resolve("a.json.lock")));
    }

    @Test
    void manyThreadsIncrementWithoutLoss() {
        LockFileEngine e = engine();
        Path res = dir.resolve("counter");
        int[] counter = {0};
        List<Uni<Integer>> all = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            all.add(e.withLock(res, () -> Uni.createFrom().item(() -> ++counter[0]),
                    LockOptions.defaults().withMaxRetries(1000)));
        }
        Uni.join().all(all).andFailFast().await().atMost(Duration.ofSeconds(30));
        assertEquals(64, counter[0]);
    }
}
