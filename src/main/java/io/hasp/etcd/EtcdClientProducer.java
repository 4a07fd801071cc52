package io.hasp.etcd;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.hasp.HaspConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;

/**
 * Makes the one {@link EtcdClient} of the process, on the Vert.x event loops. Only beans of the etcd backend ask for
 * it, so with {@code hasp.backend=file} no channel is ever created. With {@code etcd}, it is made at start-up, so that
 * a wrong {@code hasp.etcd.endpoints} stops the start instead of failing the first request (channels connect lazily:
 * an unreachable cluster does not stop the start, it keeps readiness DOWN).
 */
@ApplicationScoped
public class EtcdClientProducer {

    @Produces
    @Singleton
    // nettyEventLoopGroup() is how Quarkus' own gRPC channels share the Vert.x event loops too
    @SuppressWarnings("deprecation")
    EtcdClient client(HaspConfig config, Vertx vertx, MeterRegistry registry) {
        HaspConfig.Etcd etcd = config.etcd();
        EtcdAccess access = new EtcdAccess(etcd.user(), etcd.password(), etcd.tls().caFile(), etcd.tls().certFile(),
                etcd.tls().keyFile());
        return EtcdClient.create(etcd.endpoints().orElse(List.of()), vertx.nettyEventLoopGroup(),
                etcd.requestTimeout(), etcd.operationTimeout(), registry, access);
    }

    void checkAtStart(@Observes StartupEvent event, HaspConfig config, Instance<EtcdClient> client) {
        if (config.backend() == HaspConfig.Backend.ETCD) {
            client.get().endpoints();
        }
    }

    void close(@Disposes EtcdClient client) {
        client.close();
    }
}
