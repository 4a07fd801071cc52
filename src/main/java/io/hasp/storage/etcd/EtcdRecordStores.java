package io.hasp.storage.etcd;

import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.etcd.EtcdClient;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordStore;
import io.hasp.storage.Versioned;

/**
 * Opens the etcd stores of the record kinds ({@code hasp.backend=etcd}). Created only in that mode, at start-up,
 * where it refuses to start without a usable {@code hasp.credentials.key} ({@link Sealer}).
 */
@ApplicationScoped
public class EtcdRecordStores {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final EtcdClient etcd;
    private final ObjectMapper json;
    private final EtcdStoreSettings settings;
    private final Sealer sealer;
    private final String writer;
    private final WaitingRoom waiting;
    private final List<EtcdRecordStore<?>> opened = new ArrayList<>();

    @Inject
    public EtcdRecordStores(EtcdClient etcd, ObjectMapper json, HaspConfig config) {
        this(etcd, json, EtcdStoreSettings.of(config), Sealer.of(config.credentials().key()));
    }

    /** Stores on {@code etcd}, for tests without CDI too; each instance is one writer (one replica). */
    public EtcdRecordStores(EtcdClient etcd, ObjectMapper json, EtcdStoreSettings settings, Sealer sealer) {
        this.etcd = etcd;
        this.json = json;
        this.settings = settings;
        this.sealer = sealer;
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        this.writer = HexFormat.of().formatHex(id);
        this.waiting = new WaitingRoom(etcd, settings.namespace());
    }

    /** The store of {@code kind}, whose new records' versions start at {@code clock}'s time. */
    public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind, Clock clock) {
        RecordKeys keys = new RecordKeys(settings.namespace(), kind);
        StoreContext<T> ctx = new StoreContext<>(etcd, kind, keys, new RecordReader<>(etcd, kind, keys, json, sealer),
                json, sealer, writer, clock, settings.records(), settings.maxTxnOps(), settings.maxRequestBytes(),
                settings.patience(), settings.readPatience(), waiting);
        EtcdRecordStore<T> store = new EtcdRecordStore<>(ctx);
        synchronized (opened) {
            opened.add(store);
        }
        return store;
    }

    /** Whether start-up found everything this backend needs (it throws otherwise). */
    public boolean ready() {
        return sealer != null;
    }

    @PreDestroy
    public void close() {
        synchronized (opened) {
            opened.forEach(EtcdRecordStore::close);
        }
        waiting.close();
    }
}
