package io.hasp.etcd;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A 3-member etcd cluster for the {@code @QuarkusTest}s of the etcd backend: started before the application, its
 * client URLs given as {@code hasp.etcd.endpoints}, stopped after. The cluster is also injected into test fields of
 * type {@link EtcdCluster}, so that a test can kill members.
 */
public class EtcdTestResource implements QuarkusTestResourceLifecycleManager {

    private EtcdCluster cluster;

    @Override
    public Map<String, String> start() {
        try {
            cluster = EtcdCluster.start("quarkus-test", 3);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("hasp.backend", "etcd", "hasp.etcd.endpoints", cluster.endpoints());
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(cluster, new TestInjector.MatchesType(EtcdCluster.class));
    }

    @Override
    public void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }
}
