package io.hasp.storage;

import java.time.Duration;

import io.hasp.HaspConfig;

/**
 * How record changes are committed (see {@link GroupCommitter}).
 *
 * @param linger           how long a replica keeps a record's lock after its last change, for the next one
 * @param batchMax         most changes of one record made durable by one write
 * @param batchMaxBytes    most request bytes in one batch
 * @param compactAfterIdle when a record left with a journal is folded into its file, if nobody changed it meanwhile
 * @param cacheSize        records of a kind whose last read copy this JVM keeps
 */
public record RecordSettings(Duration linger, int batchMax, long batchMaxBytes, Duration compactAfterIdle,
                             int cacheSize) {

    public RecordSettings {
        if (linger.isNegative() || batchMax < 1 || batchMaxBytes < 1 || compactAfterIdle.isNegative()
                || cacheSize < 1) {
            throw new IllegalArgumentException("invalid record settings");
        }
    }

    public static RecordSettings of(HaspConfig config) {
        HaspConfig.Records r = config.records();
        return new RecordSettings(r.linger(), r.batchMax(), r.batchMaxBytes(), r.compactAfterIdle(), r.cacheSize());
    }
}
