package io.hasp.etcd;

import java.time.Duration;
import java.util.Arrays;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.nio.NioEventLoopGroup;

/** An {@link EtcdClient} of a test cluster without CDI, on an event loop group of its own, closed with it. */
public final class EtcdClients implements AutoCloseable {

    private final NioEventLoopGroup loops = new NioEventLoopGroup(2);
    private final EtcdClient client;

    public EtcdClients(EtcdCluster cluster) {
        client = EtcdClient.create(Arrays.asList(cluster.endpoints().split(",")), loops, Duration.ofSeconds(2),
                Duration.ofSeconds(6), new SimpleMeterRegistry());
    }

    public EtcdClient client() {
        return client;
    }

    @Override
    public void close() {
        client.close();
        loops.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    }
}
