package io.hasp.storage;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Record size caps small enough to reach in a test, on a data directory of their own. */
public class SmallLimitsProfile implements QuarkusTestProfile {

    static final int QUEUE_COMMANDS = 3;
    static final int INDEX_ENTRIES = 4;
    static final int CREDENTIALS = 2;

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hasp.data-dir", "target/test-data-limits",
                "hasp.limits.queue-commands", Integer.toString(QUEUE_COMMANDS),
                "hasp.limits.file-change-index-entries", Integer.toString(INDEX_ENTRIES),
                "hasp.limits.credentials", Integer.toString(CREDENTIALS));
    }
}
