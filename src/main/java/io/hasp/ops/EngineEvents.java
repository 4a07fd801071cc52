package io.hasp.ops;

import java.nio.file.Path;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Inject;

import io.hasp.lock.LockEvents;
import io.hasp.lock.LockHandle;
import io.hasp.lock.LockResult;
import io.hasp.lock.LockType;

/**
 * The lock engine's one {@link LockEvents} bean: every event goes to the meters ({@link LockMetrics}) and to the
 * traces ({@link LockWaitSpans}, which take only the waits), in that order.
 */
@ApplicationScoped
@Typed(LockEvents.class)
public class EngineEvents implements LockEvents {

    private final List<LockEvents> observers;

    @Inject
    public EngineEvents(LockMetrics metrics, LockWaitSpans spans) {
        this.observers = List.of(metrics, spans);
    }

    @Override
    public void acquired(LockHandle handle, long waitNanos) {
        observers.forEach(o -> o.acquired(handle, waitNanos));
    }

    @Override
    public void failed(LockResult.Reason reason, long waitNanos) {
        observers.forEach(o -> o.failed(reason, waitNanos));
    }

    @Override
    public void failed(Path resource, LockType type, LockResult.Reason reason, long waitNanos) {
        observers.forEach(o -> o.failed(resource, type, reason, waitNanos));
    }

    @Override
    public void released(long heldNanos) {
        observers.forEach(o -> o.released(heldNanos));
    }

    @Override
    public void handedOff() {
        observers.forEach(LockEvents::handedOff);
    }

    @Override
    public void staleBroken(boolean lease) {
        observers.forEach(o -> o.staleBroken(lease));
    }
}
