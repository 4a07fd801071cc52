package io.hasp.ops;

import java.nio.file.Path;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.hasp.lock.LockEvents;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;

/**
 * The lock engine's one {@link LockEvents} bean: every event goes to the meters ({@link LockMetrics}) and, for lock
 * waits, to the traces ({@link LockWaitSpans}).
 */
@ApplicationScoped
@Typed(LockEvents.class)
public class EngineEvents implements LockEvents {

    private final LockMetrics metrics;
    private final LockWaitSpans spans;

    @Inject
    public EngineEvents(LockMetrics metrics, LockWaitSpans spans) {
        this.metrics = metrics;
        this.spans = spans;
    }

    @Override
    public void acquired(LockHandle handle, long waitNanos) {
        metrics.acquired(handle, waitNanos);
        spans.acquired(handle, waitNanos);
    }

    @Override
    public void failed(LockResult.Reason reason, long waitNanos) {
        metrics.failed(reason, waitNanos);
    }

    @Override
    public void failed(Path resource, LockType type, LockResult.Reason reason, long waitNanos) {
        metrics.failed(resource, type, reason, waitNanos);
        spans.failed(resource, type, reason, waitNanos);
    }

    @Override
    public void released(long heldNanos) {
        metrics.released(heldNanos);
    }

    @Override
    public void handedOff() {
        metrics.handedOff();
    }

    @Override
    public void staleBroken(boolean lease) {
        metrics.staleBroken(lease);
    }
}
