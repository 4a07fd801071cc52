package io.hasp.etcd;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.hasp.HaspConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;

/**
 * Makes the one {@link EtcdClient} of the process, on the Vert.x event loops. Only beans of the etcd backend ask for
 * it, so with {@code hasp.backend=file} no channel is ever created.
 */
@ApplicationScoped
public class EtcdClientProducer {

    @Produces
    @Singleton
    EtcdClient client(HaspConfig config, Vertx vertx, MeterRegistry registry) {
        HaspConfig.Etcd etcd = config.etcd();
        return EtcdClient.create(etcd.endpoints().orElse(List.of()), vertx.nettyEventLoopGroup(),
                etcd.requestTimeout(), etcd.operationTimeout(), registry);
    }

    void close(@Disposes EtcdClient client) {
        client.close();
    }
}
