package io.hasp.ops;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.hasp.storage.DataDirectory;
import io.hasp.storage.RecordWrites;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Tracer;
import io.quarkus.runtime.Startup;

/**
 * One span per batch of record changes made durable, {@value #SPAN}: the record's kind (its directory or file in
 * the data directory: {@code queues}, {@code bookmarks}, {@code groups}, {@code tokens}, {@code credentials},
 * {@code file-changes}), how many changes the batch held, and how long its write took, fsync included (the span
 * lasts that long). Installed as the storage's {@link RecordWrites} hook at start-up.
 */
@Startup
@ApplicationScoped
public class RecordWriteSpans implements RecordWrites {

    /** The span's name. */
    static final String SPAN = "hasp.record.write";
    static final AttributeKey<String> KIND = AttributeKey.stringKey("hasp.record.kind");
    static final AttributeKey<Long> BATCH = AttributeKey.longKey("hasp.record.batch_size");
    static final AttributeKey<Double> WRITE_MS = AttributeKey.doubleKey("hasp.record.write_ms");

    private final Tracer tracer;
    private final DataDirectory dataDir;

    @Inject
    public RecordWriteSpans(Tracer tracer, DataDirectory dataDir) {
        this.tracer = tracer;
        this.dataDir = dataDir;
    }

    @PostConstruct
    void install() {
        RecordWrites.install(this);
    }

    @PreDestroy
    void uninstall() {
        RecordWrites.install(null);
    }

    @Override
    public void written(Path file, int batchSize, long writeNanos) {
        Instant now = Instant.now();
        long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        tracer.spanBuilder(SPAN)
                .setStartTimestamp(end - Math.max(0, writeNanos), TimeUnit.NANOSECONDS)
                .setAttribute(KIND, dataDir.kindOf(file))
                .setAttribute(BATCH, (long) batchSize)
                .setAttribute(WRITE_MS, writeNanos / 1e6)
                .startSpan()
                .end(end, TimeUnit.NANOSECONDS);
    }
}
