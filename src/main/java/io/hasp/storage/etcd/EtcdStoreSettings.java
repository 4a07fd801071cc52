package io.hasp.storage.etcd;

import java.time.Duration;

import io.hasp.HaspConfig;
import io.hasp.storage.RecordSettings;

/**
 * How the etcd record stores work.
 *
 * @param namespace       prefix of every key ({@code hasp.etcd.namespace})
 * @param maxTxnOps       most operations in one transaction branch ({@code hasp.etcd.max-txn-ops})
 * @param maxRequestBytes largest request ({@code hasp.etcd.max-request-bytes})
 * @param patience        how long a change keeps trying against other writers ({@code hasp.lock.timeout})
 * @param readPatience    longest blocking read: twice {@code hasp.etcd.operation-timeout}
 * @param records         batches and cache ({@code hasp.records.*})
 */
public record EtcdStoreSettings(String namespace, int maxTxnOps, long maxRequestBytes, Duration patience,
                                Duration readPatience, RecordSettings records) {

    public EtcdStoreSettings {
        if (maxTxnOps < 8 || maxRequestBytes < 64 * 1024) {
            throw new IllegalArgumentException("hasp.etcd.max-txn-ops must be at least 8 and "
                    + "hasp.etcd.max-request-bytes at least 65536");
        }
    }

    public static EtcdStoreSettings of(HaspConfig config) {
        HaspConfig.Etcd e = config.etcd();
        return new EtcdStoreSettings(e.namespace(), e.maxTxnOps(), e.maxRequestBytes(), config.lock().timeout(),
                e.operationTimeout().multipliedBy(2), RecordSettings.of(config));
    }
}
