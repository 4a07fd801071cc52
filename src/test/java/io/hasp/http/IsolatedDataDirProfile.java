package io.hasp.http;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A data directory of its own, for tests that plant corrupt files: the other tests' records stay out of their way,
 * and theirs out of the others'.
 */
public class IsolatedDataDirProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hasp.data-dir", "target/test-data-isolated");
    }
}
