package io.hasp.lock;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Concurrency test utilities (plan TASK-013): start many operations at once, collect how each ended, and check
 * that concurrent read-modify-write cycles lose no update.
 *
 * <p>{@link #runConcurrent} is reactive: it holds no thread while the operations run. {@link #runOnThreads} is
 * the blocking counterpart for code that is not reactive: one real thread per task, all released together.
 */
public final class ConcurrencyHelpers {

    private ConcurrencyHelpers() {
    }

    /**
     * How one operation ended: exactly one of {@code result} (which may be null) or {@code error} is meaningful.
     *
     * @param result the item, when the operation succeeded
     * @param error  the failure, or null when the operation succeeded
     */
    public record Outcome<T>(T result, Throwable error) {

        public static <T> Outcome<T> success(T result) {
            return new Outcome<>(result, null);
        }

        public static <T> Outcome<T> failure(Throwable error) {
            return new Outcome<>(null, Objects.requireNonNull(error, "error"));
        }

        public boolean succeeded() {
            return error == null;
        }
    }

    /**
     * The verdict of {@link #verifyNoLostUpdates}.
     *
     * @param success  whether the value read at the end equals {@code expected}
     * @param expected every modification applied once, in list order, to the initial value
     * @param actual   the value read after all modifications finished
     */
    public record UpdateCheck<T>(boolean success, T expected, T actual) {
    }

    /**
     * Subscribes to every operation, the {@code i}-th one {@code i * delayBetween} after the first, each on the Mutiny
     * worker pool so that they really overlap, and emits one {@link Outcome} per operation in list order once all
     * have ended. A supplier that throws, or returns null, counts as a failed operation. Never fails itself.
     */
    public static <T> Uni<List<Outcome<T>>> runConcurrent(List<Supplier<Uni<T>>> operations, Duration delayBetween) {
        Objects.requireNonNull(operations, "operations");
        Objects.requireNonNull(delayBetween, "delayBetween");
        if (delayBetween.isNegative()) {
            throw new IllegalArgumentException("delayBetween must not be negative");
        }
        if (operations.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Uni<Outcome<T>>> started = new ArrayList<>();
        for (int i = 0; i < operations.size(); i++) {
            Supplier<Uni<T>> op = operations.get(i);
            Uni<Void> gate = Uni.createFrom().voidItem();
            Duration delay = delayBetween.multipliedBy(i);
            if (!delay.isZero()) {
                gate = gate.onItem().delayIt().by(delay);
            }
            started.add(gate
                    .emitOn(Infrastructure.getDefaultWorkerPool())
                    .chain(() -> Uni.createFrom().deferred(() -> op.get()))
                    .map(Outcome::success)
                    .onFailure().recoverWithItem(Outcome::<T>failure));
        }
        return Uni.join().all(started).andFailFast();
    }

    /** {@link #runConcurrent(List, Duration)} with no delay between the operations. */
    public static <T> Uni<List<Outcome<T>>> runConcurrent(List<Supplier<Uni<T>>> operations) {
        return runConcurrent(operations, Duration.ZERO);
    }

    /**
     * Runs each task on a thread of its own. The threads start, wait on one latch until all of them are ready, then
     * run together. Returns one {@link Outcome} per task in list order.
     *
     * @throws IllegalStateException when the tasks have not all ended within {@code timeout} (the threads still
     *                               running are interrupted)
     */
    public static <T> List<Outcome<T>> runOnThreads(List<Callable<T>> tasks, Duration timeout)
            throws InterruptedException {
        Objects.requireNonNull(tasks, "tasks");
        int n = tasks.size();
        CountDownLatch ready = new CountDownLatch(n);
        CountDownLatch go = new CountDownLatch(1);
        CountDownLatch finished = new CountDownLatch(n);
        List<Outcome<T>> outcomes = new ArrayList<>(n);
        List<Thread> threads = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            outcomes.add(null);
            int index = i;
            Thread t = new Thread(() -> {
                ready.countDown();
                Outcome<T> outcome;
                try {
                    go.await();
                    outcome = Outcome.success(tasks.get(index).call());
                } catch (Throwable e) {
                    outcome = Outcome.failure(e);
                }
                synchronized (outcomes) {
                    outcomes.set(index, outcome);
                }
                finished.countDown();
            }, "concurrent-task-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
        threads.forEach(Thread::start);
        ready.await();
        go.countDown();
        if (!finished.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            threads.forEach(Thread::interrupt);
            throw new IllegalStateException(finished.getCount() + " of " + n + " tasks still running after "
                    + timeout.toMillis() + " ms");
        }
        synchronized (outcomes) {
            return List.copyOf(outcomes);
        }
    }

    /**
     * Writes {@code initial}, then runs every modification concurrently as an unguarded read-modify-write
     * ({@code read}, apply, {@code write}), then reads the result. With nothing making the cycle atomic this
     * reports lost updates; it checks that {@code read} and {@code write} themselves serialise the cycle (for
     * example, a store whose write refuses stale versions and whose modifications retry).
     *
     * <p>Modifications must commute (increments, adding to a set): the expected value applies them in list order.
     */
    public static <T> Uni<UpdateCheck<T>> verifyNoLostUpdates(T initial, List<UnaryOperator<T>> modifications,
                                                              Supplier<Uni<T>> read, Function<T, Uni<Void>> write) {
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        return verifyNoLostUpdates(initial, modifications, read, write,
                modification -> read.get().map(modification).chain(value -> write.apply(value)));
    }

    /**
     * Writes {@code initial}, then calls {@code modify} concurrently once per modification (the code under test
     * applies it, typically under a lock: {@code fn -> repository.modify(id, fn)}), then reads the result and
     * compares it with every modification applied once to {@code initial}. A failed {@code modify} is not
     * retried, so it shows as a mismatch.
     *
     * <p>Modifications must commute (increments, adding to a set): the expected value applies them in list order.
     */
    public static <T> Uni<UpdateCheck<T>> verifyNoLostUpdates(T initial, List<UnaryOperator<T>> modifications,
                                                              Supplier<Uni<T>> read, Function<T, Uni<Void>> write,
                                                              Function<UnaryOperator<T>, Uni<?>> modify) {
        Objects.requireNonNull(modifications, "modifications");
        Objects.requireNonNull(read, "read");
        Objects.requireNonNull(write, "write");
        Objects.requireNonNull(modify, "modify");
        T expected = initial;
        for (UnaryOperator<T> m : modifications) {
            expected = m.apply(expected);
        }
        T expectedValue = expected;
        List<Supplier<Uni<Object>>> operations = new ArrayList<>();
        for (UnaryOperator<T> m : modifications) {
            operations.add(() -> modify.apply(m).map(ignored -> (Object) Boolean.TRUE));
        }
        return write.apply(initial)
                .chain(() -> runConcurrent(operations))
                .chain(read::get)
                .map(actual -> new UpdateCheck<>(Objects.equals(expectedValue, actual), expectedValue, actual));
    }
}
