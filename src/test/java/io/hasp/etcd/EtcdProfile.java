package io.hasp.etcd;

import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Runs a {@code @QuarkusTest} with {@code hasp.backend=etcd} on a 3-member cluster of its own. */
public class EtcdProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("hasp.backend", "etcd", "hasp.etcd.namespace", "/hasp-test/",
                "hasp.data-dir", "target/test-data-etcd",
                // a fixed test key (32 bytes, base64); etcd mode refuses to start without one
                "hasp.credentials.key", "dGVzdC1rZXktb2YtdGhpcnR5LXR3by1ieXRlcy0hISE=");
    }

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(EtcdTestResource.class));
    }
}
