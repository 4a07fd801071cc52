package io.hasp.storage;

import java.time.Clock;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.lock.FileLockService;
import io.hasp.storage.etcd.EtcdRecordStores;
import io.quarkus.runtime.StartupEvent;

/**
 * The application's {@link RecordStores}: opens the store of each record kind on the backend {@code hasp.backend}
 * names, files under the data directory or etcd. Only the chosen backend's beans are ever created, so file mode never touches etcd and etcd mode
 * writes no record to the data directory. With etcd, the start fails when what it needs is missing (the credentials
 * key).
 */
@ApplicationScoped
public class BackendRecordStores implements RecordStores {

    private static final Logger LOG = Logger.getLogger(BackendRecordStores.class);

    private final HaspConfig config;
    private final FileLockService locks;
    private final AtomicWriter writer;
    private final ObjectMapper mapper;
    private final Clock clock;
    private final DataDirectory dataDir;
    private final Instance<EtcdRecordStores> etcd;

    @Inject
    public BackendRecordStores(HaspConfig config, FileLockService locks, AtomicWriter writer, ObjectMapper mapper,
                               Clock clock, DataDirectory dataDir, Instance<EtcdRecordStores> etcd) {
        this.config = config;
        this.locks = locks;
        this.writer = writer;
        this.mapper = mapper;
        this.clock = clock;
        this.dataDir = dataDir;
        this.etcd = etcd;
    }

    @Override
    public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind) {
        return switch (config.backend()) {
            case FILE -> new FileRecordStore<>(kind, locks, writer, mapper, clock, dataDir,
                    BaseFileRepository.lockOptions(config), RecordSettings.of(config));
            case ETCD -> etcd.get().open(kind, clock);
        };
    }

    void checkAtStart(@Observes StartupEvent event) {
        LOG.infof("records: %s backend", config.backend().name().toLowerCase(Locale.ROOT));
        if (config.backend() == HaspConfig.Backend.ETCD) {
            etcd.get().ready();
        }
    }
}
