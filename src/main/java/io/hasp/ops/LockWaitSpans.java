package io.hasp.ops;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.hasp.lock.LockEvents;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;

/**
 * One span per lock wait, {@value #SPAN}, from the acquire call to its outcome: the lock's name (the resource's
 * file name: a named lock's name, a record's file), its type, the outcome ({@code acquired}, {@code timeout},
 * {@code locked}, {@code error}) and the wait in milliseconds. The engine reports a wait when it ends, so the span is
 * made then, with the start it had. Free while tracing is off: the tracer records nothing.
 */
@ApplicationScoped
@Typed(LockWaitSpans.class)
public class LockWaitSpans implements LockEvents {

    /** The span's name. */
    static final String SPAN = "hasp.lock.wait";
    static final AttributeKey<String> NAME = AttributeKey.stringKey("hasp.lock.name");
    static final AttributeKey<String> TYPE = AttributeKey.stringKey("hasp.lock.type");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("hasp.lock.outcome");
    static final AttributeKey<Double> WAIT_MS = AttributeKey.doubleKey("hasp.lock.wait_ms");

    private final Tracer tracer;

    @Inject
    public LockWaitSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public void acquired(LockHandle handle, long waitNanos) {
        record(handle.resource(), handle.type(), "acquired", waitNanos);
    }

    @Override
    public void failed(Path resource, LockType type, LockResult.Reason reason, long waitNanos) {
        record(resource, type, reason.wireName(), waitNanos);
    }

    private void record(Path resource, LockType type, String outcome, long waitNanos) {
        Instant now = Instant.now();
        long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        Span span = tracer.spanBuilder(SPAN)
                .setStartTimestamp(end - Math.max(0, waitNanos), TimeUnit.NANOSECONDS)
                .setAttribute(NAME, resource.getFileName().toString())
                .setAttribute(TYPE, type.wireName())
                .setAttribute(OUTCOME, outcome)
                .setAttribute(WAIT_MS, waitNanos / 1e6)
                .startSpan();
        if (!"acquired".equals(outcome)) {
            span.setStatus(StatusCode.ERROR, outcome);
        }
        span.end(end, TimeUnit.NANOSECONDS);
    }
}
