package io.hasp.ops;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
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
import io.opentelemetry.context.Context;

/**
 * One span per lock wait, {@value #SPAN}, from the acquire call to its outcome: the lock's name (the resource's
 * file name: a named lock's name, a record's file), its type, the outcome ({@code acquired}, {@code timeout},
 * {@code locked}, {@code error}) and the wait in milliseconds. The engine reports a wait when it ends, so the span is
 * made then, with the start it had. The file backend's waits come from the engine ({@link EngineEvents}); the etcd
 * backend reports its own ({@link #waited}), one span per name of an acquisition. Free while tracing is off: the
 * tracer records nothing.
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
        record(Context.current(), handle.resource().getFileName().toString(), handle.type(), "acquired", waitNanos);
    }

    @Override
    public void failed(Path resource, LockType type, LockResult.Reason reason, long waitNanos) {
        record(Context.current(), resource.getFileName().toString(), type, reason.wireName(), waitNanos);
    }

    /**
     * The wait of named lock {@code name} in a backend without lock files (etcd), whose outcome may come on a thread
     * other than the request's: the span is a child of {@code parent}, the context the acquire call was made in.
     * {@code reason} is empty for a grant.
     */
    public void waited(Context parent, String name, LockType type, Optional<LockResult.Reason> reason,
                       long waitNanos) {
        record(parent, name, type, reason.map(LockResult.Reason::wireName).orElse("acquired"), waitNanos);
    }

    private void record(Context parent, String name, LockType type, String outcome, long waitNanos) {
        Instant now = Instant.now();
        long end = TimeUnit.SECONDS.toNanos(now.getEpochSecond()) + now.getNano();
        Span span = tracer.spanBuilder(SPAN)
                .setParent(parent)
                .setStartTimestamp(end - Math.max(0, waitNanos), TimeUnit.NANOSECONDS)
                .setAttribute(NAME, name)
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
