package io.hasp.lease;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import io.smallrye.mutiny.Uni;

/**
 * The acquisitions of this process waiting for named locks, one FIFO queue per name (DESIGN.md point 4). Only an
 * acquisition at the head of the queue of each of its names asks etcd; the others wait for their turn without
 * touching etcd, so a crowd of local waiters costs etcd one watch and one transaction per release, not one each, and
 * they are served in arrival order. An acquisition of several names is queued for all of them at once, under one
 * lock, so two of them never wait for each other in a cycle.
 */
final class WaitQueues {

    private final Map<String, ArrayDeque<Waiter>> queues = new HashMap<>();

    /** One waiting acquisition. */
    static final class Waiter {
        private final List<String> names;
        private final Signal signal = new Signal();
        private volatile boolean afterGrant;

        Waiter(List<String> names) {
            this.names = List.copyOf(names);
        }

        Signal signal() {
            return signal;
        }

        /** Whether it became first because the one before it was granted (once: reading clears it). */
        boolean takeAfterGrant() {
            boolean was = afterGrant;
            afterGrant = false;
            return was;
        }
    }

    /** Queues {@code waiter} behind every acquisition already waiting for one of its names. */
    void enqueue(Waiter waiter) {
        synchronized (this) {
            for (String name : waiter.names) {
                queues.computeIfAbsent(name, n -> new ArrayDeque<>()).addLast(waiter);
            }
        }
        if (isHead(waiter)) {
            waiter.signal.fire();
        }
    }

    /**
     * Takes {@code waiter} out ({@code granted}, or given up or cancelled) and wakes those it leaves at the head; after
     * a grant they are told so, since the lock they wait for is then most likely busy.
     */
    void remove(Waiter waiter, boolean granted) {
        List<Waiter> heads = new ArrayList<>();
        synchronized (this) {
            for (String name : waiter.names) {
                ArrayDeque<Waiter> queue = queues.get(name);
                if (queue == null) {
                    continue;
                }
                boolean wasHead = queue.peekFirst() == waiter;
                queue.remove(waiter);
                if (queue.isEmpty()) {
                    queues.remove(name);
                } else if (wasHead) {
                    heads.add(queue.peekFirst());
                }
            }
        }
        for (Waiter w : heads) {
            w.afterGrant = granted;
            w.signal.fire();
        }
    }

    /** Whether {@code waiter} is first in the queue of each of its names. */
    synchronized boolean isHead(Waiter waiter) {
        for (String name : waiter.names) {
            ArrayDeque<Waiter> queue = queues.get(name);
            if (queue == null || queue.peekFirst() != waiter) {
                return false;
            }
        }
        return true;
    }

    /** Wakes the first waiter for {@code name}: a grant of it was just released or ended here. */
    void wake(String name) {
        Waiter head;
        synchronized (this) {
            ArrayDeque<Waiter> queue = queues.get(name);
            head = queue == null ? null : queue.peekFirst();
        }
        if (head != null) {
            head.signal.fire();
        }
    }

    /**
     * A wake-up that is never lost: {@link #fire()} completes the current future; a waiter takes {@link #next()}
     * before it looks at the state and {@link #rearm()}s only after a wake-up, before it looks again.
     */
    static final class Signal {
        private final AtomicReference<CompletableFuture<Void>> current =
                new AtomicReference<>(new CompletableFuture<>());

        void fire() {
            current.get().complete(null);
        }

        /** Completes at the next {@link #fire()}, or at once if one came since the last {@link #rearm()}. */
        Uni<Void> next() {
            CompletableFuture<Void> future = current.get();
            // not Uni.createFrom().completionStage: cancelling the wait must not cancel the shared future
            return Uni.createFrom().emitter(e -> future.whenComplete((v, t) -> e.complete(null)));
        }

        void rearm() {
            CompletableFuture<Void> now = current.get();
            if (now.isDone()) {
                current.compareAndSet(now, new CompletableFuture<>());
            }
        }
    }
}
