package io.hasp.lease;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** A worker pool of four threads, far fewer than the waiting clients of {@link ManyWaitersTest}. */
public class SmallWorkerPoolProfile implements QuarkusTestProfile {

    static final int MAX_THREADS = 4;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.thread-pool.max-threads", Integer.toString(MAX_THREADS),
                "quarkus.thread-pool.core-threads", "1");
    }
}
