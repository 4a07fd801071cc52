package io.hasp.lease;

import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;

/**
 * Chooses the backend of named locks at run time from {@code hasp.backend}. Only the chosen bean is ever created:
 * with {@code file} no etcd channel exists; with {@code etcd} nothing of named locks is written to the data
 * directory.
 */
@ApplicationScoped
public class LockBackendProducer {

    private static final Logger LOG = Logger.getLogger(LockBackendProducer.class);

    @Produces
    @ApplicationScoped
    LockBackend backend(HaspConfig config, Instance<FileLockBackend> file, Instance<EtcdLockBackend> etcd) {
        LOG.infof("named locks: %s backend", config.backend().name().toLowerCase(Locale.ROOT));
        return switch (config.backend()) {
            case FILE -> file.get();
            case ETCD -> etcd.get();
        };
    }
}
