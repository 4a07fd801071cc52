package io.hasp.etcd;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

import com.google.protobuf.ByteString;

import io.hasp.HaspConfig;
import io.hasp.etcd.api.RangeRequest;
import io.quarkus.arc.lookup.LookupIfProperty;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;

/**
 * Readiness of the etcd cluster ({@code /q/health/ready}), present only with {@code hasp.backend=etcd}. UP when a
 * linearizable read answers within {@code hasp.etcd.readiness-timeout}: such a read needs a leader and a quorum, so
 * the probe is DOWN while no member can be reached and while the reachable ones have no quorum, and UP again as soon
 * as a quorum answers. The read is of one key under the namespace, counted only (nothing is transferred). The
 * response data say which: {@code reason} {@code unreachable} (or {@code no-quorum} when a member answered that it has
 * no leader), never an address or a key.
 */
@Readiness
@ApplicationScoped
@LookupIfProperty(name = "hasp.backend", stringValue = "etcd")
public class EtcdReadinessCheck implements AsyncHealthCheck {

    static final String NAME = "etcd";
    private static final Logger LOG = Logger.getLogger(EtcdReadinessCheck.class);

    private final EtcdClient etcd;
    private final ByteString probeKey;
    private final Duration timeout;

    @Inject
    public EtcdReadinessCheck(EtcdClient etcd, HaspConfig config) {
        this.etcd = etcd;
        this.probeKey = ByteString.copyFrom(config.etcd().namespace() + "ready", StandardCharsets.UTF_8);
        this.timeout = config.etcd().readinessTimeout();
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        long start = System.nanoTime();
        return etcd.range(RangeRequest.newBuilder().setKey(probeKey).setCountOnly(true).build())
                .ifNoItem().after(timeout).fail()
                .map(r -> HealthCheckResponse.named(NAME).up()
                        .withData("members", etcd.endpoints().size())
                        .withData("readMs", (System.nanoTime() - start) / 1_000_000).build())
                .onFailure().recoverWithItem(f -> {
                    LOG.debugf("etcd readiness probe failed: %s", f.toString());
                    String reason = String.valueOf(f.getMessage()).contains("no leader") ? "no-quorum" : "unreachable";
                    return HealthCheckResponse.named(NAME).down().withData("reason", reason)
                            .withData("members", etcd.endpoints().size()).build();
                });
    }
}
