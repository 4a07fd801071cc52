package io.hasp.storage;

import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * A batch of changes of one record, applied in order to one working copy: what both backends' committers share
 * ({@link GroupCommitter} for files, the etcd store's committer). Applying writes nothing; the committer makes the
 * outcome durable, then {@link Outcome#answer answers} every caller.
 *
 * <ol>
 *   <li>each change checks its expected version against the working copy (absent is version 0): a mismatch fails it
 *       with {@link VersionConflictException};</li>
 *   <li>its modifier runs on the working copy; an exception fails this change only, and its batch-mates go on;</li>
 *   <li>a written record gets the working copy's version plus one, or {@link Versions#first()} when the record is
 *       new; a {@link Modification#restore restored} one keeps its own version unless that would not be above the
 *       record's current one ({@link Versions#floor()} for a new record).</li>
 * </ol>
 * Applying is deterministic given the modifiers, so a committer may apply the same batch again to a newer copy (after
 * an optimistic write lost a race): callers are answered from the application that was made durable.
 */
public final class Batch {

    private Batch() {
    }

    /** How a record's versions start (see {@link Versioned}). */
    public interface Versions {
        /** The version of a record created now. */
        long first();

        /** The lowest version a restored record may keep when the record is absent. */
        long floor();
    }

    /** One change waiting in a committer, and the caller waiting for it. */
    public record Change<T, R>(OptionalLong expected, long weight, Function<Optional<T>, Modification<T, R>> change,
                               UniEmitter<? super R> caller) {
    }

    /**
     * The result of applying a batch: the record as the batch leaves it ({@code null}: deleted or absent), whether
     * anything is to be written, and per change its answer or its failure.
     */
    public record Outcome<T>(T before, T after, boolean changed, Object[] results, Throwable[] failures) {

        /** Fails every change that has not failed on its own with {@code failure} (the write failed). */
        public void failAll(Throwable failure) {
            for (int i = 0; i < failures.length; i++) {
                if (failures[i] == null) {
                    failures[i] = failure;
                }
            }
        }

        /** Answers every caller of {@code batch} (the changes this outcome was applied from). */
        public <X> void answer(List<Change<X, ?>> batch) {
            for (int i = 0; i < batch.size(); i++) {
                answerOne(batch.get(i), results[i], failures[i]);
            }
        }

        @SuppressWarnings("unchecked")
        private static <R> void answerOne(Change<?, R> c, Object result, Throwable failure) {
            if (failure != null) {
                c.caller().fail(failure);
            } else {
                c.caller().complete((R) result);
            }
        }
    }

    /** Applies {@code batch} to {@code before} ({@code null}: absent), as the class contract says. */
    public static <T extends Versioned<T>> Outcome<T> apply(T before, List<? extends Change<T, ?>> batch,
                                                            Versions versions) {
        Object[] results = new Object[batch.size()];
        Throwable[] failures = new Throwable[batch.size()];
        T working = before;
        boolean changed = false;
        for (int i = 0; i < batch.size(); i++) {
            Change<T, ?> c = batch.get(i);
            try {
                checkVersion(c.expected(), working);
                Modification<T, ?> m = c.change().apply(Optional.ofNullable(working));
                if (m.deletes()) {
                    results[i] = m.result().apply(working);
                    changed |= working != null;
                    working = null;
                } else if (m.record() == null) {
                    results[i] = m.result().apply(working);
                } else {
                    working = m.record().withVersion(version(m, working, versions));
                    changed = true;
                    results[i] = m.result().apply(working);
                }
            } catch (RuntimeException e) {
                failures[i] = e;
            }
        }
        return new Outcome<>(before, working, changed, results, failures);
    }

    private static <T extends Versioned<T>> long version(Modification<T, ?> m, T working, Versions versions) {
        if (m.restores()) {
            long floor = working == null ? versions.floor() : working.version() + 1;
            return Math.max(m.record().version(), floor);
        }
        return working == null ? versions.first() : working.version() + 1;
    }

    private static void checkVersion(OptionalLong expected, Versioned<?> current) {
        if (expected.isPresent()) {
            long actual = current == null ? 0 : current.version();
            if (actual != expected.getAsLong()) {
                throw new VersionConflictException(expected.getAsLong(), actual);
            }
        }
    }
}
