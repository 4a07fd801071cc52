package io.hasp.lock;

import java.util.ArrayList;
import java.util.List;

import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Those who asked to learn that a resource this process holds is wanted by someone else, a local waiter or another
 * process in line ({@link LockHandle#contended()}). Each is told once, then forgotten; one that goes away (cancels)
 * is dropped.
 */
final class Contention {

    private final List<UniEmitter<? super Void>> listeners = new ArrayList<>();

    synchronized boolean isEmpty() {
        return listeners.isEmpty();
    }

    /** Adds {@code listener} until it is told or terminates. */
    synchronized void add(UniEmitter<? super Void> listener) {
        listeners.add(listener);
        listener.onTermination(() -> remove(listener));
    }

    private synchronized void remove(UniEmitter<? super Void> listener) {
        listeners.remove(listener);
    }

    /** Tells every listener. */
    void signal() {
        List<UniEmitter<? super Void>> all;
        synchronized (this) {
            all = List.copyOf(listeners);
            listeners.clear();
        }
        all.forEach(e -> e.complete(null));
    }
}
