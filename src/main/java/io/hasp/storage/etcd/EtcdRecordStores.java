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
import io.hasp.storage.RecordSettings;
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
    private final HaspConfig config;
    private final Sealer sealer;
    private final String writer;
    private final List<EtcdRecordStore<?>> opened = new ArrayList<>();

    @Inject
    public EtcdRecordStores(EtcdClient etcd, ObjectMapper json, HaspConfig config) {
        this(etcd, json, config, Sealer.of(config.credentials().key()));
    }

    /** For tests: stores with a sealer of their choosing. */
    public EtcdRecordStores(EtcdClient etcd, ObjectMapper json, HaspConfig config, Sealer sealer) {
        this.etcd = etcd;
        this.json = json;
        this.config = config;
        this.sealer = sealer;
        byte[] id = new byte[6];
        RANDOM.nextBytes(id);
        this.writer = HexFormat.of().formatHex(id);
    }

    /** The store of {@code kind}, with the settings of {@code hasp.records.*}, {@code hasp.lock.timeout}. */
    public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind) {
        return open(kind, Clock.systemUTC(), RecordSettings.of(config));
    }

    public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind, Clock clock, RecordSettings settings) {
        HaspConfig.Etcd e = config.etcd();
        RecordKeys keys = new RecordKeys(e.namespace(), kind);
        StoreContext<T> ctx = new StoreContext<>(etcd, kind, keys, new RecordReader<>(etcd, kind, keys, json, sealer),
                json, sealer, writer, clock, settings, e.maxTxnOps(), e.maxRequestBytes(), config.lock().timeout(),
                e.operationTimeout().multipliedBy(2));
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
    void close() {
        synchronized (opened) {
            opened.forEach(EtcdRecordStore::close);
        }
    }
}
