package io.hasp.lease;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** The scheduled sweeper off, so that an ended lease stays in its lock file until a request meets it. */
public class NoSweeperProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hasp.sweep.interval", "off");
    }
}
