package io.hasp.storage;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Puts many entries into a collection record (tokens, credentials) as one import: one change when the store takes it
 * in one (files always; etcd when it fits one transaction), otherwise one change per slice of
 * {@link ChangeLimits#entries()} entries, and, if a slice fails, the slices already made are undone (each entry put
 * back as it was) before the failure is answered. So an import is all or nothing unless the process dies between two
 * slices; running the same import again then finishes it.
 *
 * @param <T> the collection record
 * @param <E> its entries
 */
public final class EntryImport<T extends Versioned<T>, E> {

    private static final Logger LOG = Logger.getLogger(EntryImport.class);

    private final RecordStore<T> store;
    private final String id;
    private final Function<T, Map<String, E>> entries;
    private final BiFunction<T, Map<String, E>, T> withEntries;
    private final T empty;

    /**
     * @param entries     a record's entries by key, in order
     * @param withEntries a record with these entries (the version is the store's to set)
     * @param empty       the record when absent
     */
    public EntryImport(RecordStore<T> store, String id, Function<T, Map<String, E>> entries,
                       BiFunction<T, Map<String, E>, T> withEntries, T empty) {
        this.store = store;
        this.id = id;
        this.entries = entries;
        this.withEntries = withEntries;
        this.empty = empty;
    }

    /** What a slice changed: each key written, and its entry before ({@code null}: absent). */
    private record Undo<E>(Map<String, E> before) {
    }

    /** A finished import: how many entries it put, and how to undo it (when a later part of a larger import fails). */
    public record Done(int count, Supplier<Uni<Void>> undo) {
    }

    /**
     * Puts {@code puts} (by key); with {@code replaceAll}, every other entry is removed too. {@code check} sees each
     * key's entry before (empty when absent) and may refuse the import by throwing; {@code verify} sees the entries
     * as each change leaves them and may refuse by throwing (a cap).
     */
    public Uni<Done> apply(Map<String, E> puts, boolean replaceAll, BiConsumer<String, Optional<E>> check,
                              Consumer<Map<String, E>> verify) {
        Uni<Set<String>> removals = !replaceAll ? Uni.createFrom().item(Set.of())
                : store.get(id).map(current -> {
                    Set<String> gone = new LinkedHashSet<>(entries.apply(current.orElse(empty)).keySet());
                    gone.removeAll(puts.keySet());
                    return gone;
                });
        return removals.chain(gone -> {
            List<Map<String, Optional<E>>> slices = slices(puts, gone, store.limits().entries());
            boolean whole = replaceAll && slices.size() == 1;
            List<Undo<E>> made = new ArrayList<>();
            return Multi.createFrom().iterable(slices)
                    .onItem().transformToUniAndConcatenate(slice -> store.change(id, OptionalLong.empty(), 0,
                            current -> change(current.orElse(empty), slice, whole, puts.keySet(), check, verify))
                            .invoke(made::add))
                    .collect().last()
                    .map(last -> new Done(puts.size(), () -> undo(made, null)))
                    .onFailure().call(f -> made.isEmpty() ? Uni.createFrom().voidItem() : undo(made, f));
        });
    }

    private Modification<T, Undo<E>> change(T record, Map<String, Optional<E>> slice, boolean whole,
                                           Set<String> kept, BiConsumer<String, Optional<E>> check,
                                           Consumer<Map<String, E>> verify) {
        Map<String, E> next = new LinkedHashMap<>(entries.apply(record));
        Map<String, E> before = new LinkedHashMap<>();
        if (whole) {
            // the whole import in one change: whatever else is there now goes, added meanwhile or not
            for (String key : new ArrayList<>(next.keySet())) {
                if (!kept.contains(key)) {
                    before.put(key, next.remove(key));
                }
            }
        }
        slice.forEach((key, entry) -> {
            E was = next.get(key);
            if (entry.isPresent()) {
                check.accept(key, Optional.ofNullable(was));
            }
            before.putIfAbsent(key, was);
            if (entry.isPresent()) {
                next.put(key, entry.get());
            } else {
                next.remove(key);
            }
        });
        verify.accept(next);
        return Modification.write(withEntries.apply(record, next), stored -> new Undo<>(before));
    }

    private Uni<Void> undo(List<Undo<E>> made, Throwable why) {
        if (why != null) {
            LOG.warnf("an import into %s failed after %d change(s) (%s); undoing them", id, made.size(),
                    why.toString());
        }
        List<Undo<E>> reversed = new ArrayList<>(made);
        Collections.reverse(reversed);
        return Multi.createFrom().iterable(reversed)
                .onItem().transformToUniAndConcatenate(u -> store.change(id, OptionalLong.empty(), 0, current -> {
                    T record = current.orElse(empty);
                    Map<String, E> next = new LinkedHashMap<>(entries.apply(record));
                    u.before().forEach((key, was) -> {
                        if (was == null) {
                            next.remove(key);
                        } else {
                            next.put(key, was);
                        }
                    });
                    return Modification.<T, Void>write(withEntries.apply(record, next), stored -> null);
                }))
                .collect().last().replaceWithVoid()
                .onFailure().recoverWithItem(f -> {
                    LOG.errorf("undoing a failed import into %s failed too (%s): the import is partly made; run it "
                            + "again", id, f.toString());
                    return null;
                });
    }

    /**
     * Removals, then puts, in slices of at most {@code most} keys each (one slice when there is no limit): removing
     * first keeps every step at or below the final count.
     */
    private static <E> List<Map<String, Optional<E>>> slices(Map<String, E> puts, Set<String> removals, int most) {
        List<Map<String, Optional<E>>> slices = new ArrayList<>();
        Map<String, Optional<E>> slice = new LinkedHashMap<>();
        for (String key : removals) {
            slice = next(slices, slice, most);
            slice.put(key, Optional.empty());
        }
        for (Map.Entry<String, E> e : puts.entrySet()) {
            slice = next(slices, slice, most);
            slice.put(e.getKey(), Optional.of(e.getValue()));
        }
        slices.add(slice);
        return slices;
    }

    private static <E> Map<String, Optional<E>> next(List<Map<String, Optional<E>>> slices,
                                                     Map<String, Optional<E>> slice, int most) {
        if (slice.size() < most) {
            return slice;
        }
        slices.add(slice);
        return new LinkedHashMap<>();
    }
}
