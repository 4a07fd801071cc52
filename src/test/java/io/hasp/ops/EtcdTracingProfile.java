package io.hasp.ops;

import java.util.HashMap;
import java.util.Map;

import io.hasp.etcd.EtcdProfile;

/** Named locks and records in etcd ({@link EtcdProfile}), with tracing on as in {@link TracingProfile}. */
public class EtcdTracingProfile extends EtcdProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(super.getConfigOverrides());
        config.putAll(new TracingProfile().getConfigOverrides());
        return config;
    }
}
