package io.hasp.storage;

import java.time.Duration;

import io.hasp.TestConfig;
import io.hasp.lock.LockEngineSettings;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;

/** The real lock engine and generous lock options, for repository concurrency tests without CDI. */
public final class Engines {

    /** Waits long and retries often: contention in these tests is heavy but short. */
    public static final LockOptions PATIENT = LockOptions.defaults().withTimeout(Duration.ofSeconds(30))
            .withMaxRetries(100_000);

    private Engines() {
    }

    public static LockFileEngine engine() {
        return new LockFileEngine(TestConfig.lockEngine().withRetryCap(Duration.ofMillis(20)));
    }
}
