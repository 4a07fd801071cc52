package io.hasp.transfer;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.ToLongFunction;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.storage.ChangeLimits;
import io.hasp.storage.KeyedRepository;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordStores;
import io.hasp.storage.etcd.CollectionLayout;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The intents of running imports ({@link ImportIntent}): {@code imports/<id>.json} under the data directory (mode 0600:
 * an intent holds credential values), or, in etcd, one sealed key per entry under the namespace, so that an intent
 * outgrows no etcd value and is written in slices a transaction takes.
 */
@Singleton
public class ImportIntents extends KeyedRepository<ImportIntent> {

    /** Intents of running imports; secret, because an entry may hold a credential's value. */
    public static final RecordKind<ImportIntent> KIND = new RecordKind<>("imports", "import", ImportIntent.class,
            false, true, null, CollectionLayout.of(ImportIntent.class,
                    i -> new ImportIntent(i.id(), i.version(), i.owner(), i.heartbeat(), List.of()),
                    ImportIntent::byKey,
                    (head, entries) -> new ImportIntent(head.id(), head.version(), head.owner(), head.heartbeat(),
                            new ArrayList<>(entries.values())),
                    ImportIntent.Entry.class));

    @Inject
    public ImportIntents(RecordStores stores, Clock clock) {
        super(stores, KIND, clock);
    }

    /**
     * Writes the intent {@code id} of {@code owner} with {@code entries}: in one change when the store takes it, else
     * in slices (the first creates it); {@code size} estimates an entry's bytes. Answers once every entry is durable.
     */
    public Uni<Void> begin(String id, String owner, List<ImportIntent.Entry> entries,
                           ToLongFunction<ImportIntent.Entry> size) {
        List<List<ImportIntent.Entry>> slices = slices(entries, store.limits(), size);
        Instant now = now();
        return createWithLock(id, (newId, at) -> new ImportIntent(newId, 0, owner, now, slices.get(0)))
                .chain(() -> Multi.createFrom().iterable(slices.subList(1, slices.size()))
                        .onItem().transformToUniAndConcatenate(slice -> computeWithLock(id, OptionalLong.empty(),
                                current -> Modification.<ImportIntent, Void>write(existing(id, current).plus(slice),
                                        stored -> null)))
                        .collect().last().replaceWithVoid());
    }

    private static List<List<ImportIntent.Entry>> slices(List<ImportIntent.Entry> entries, ChangeLimits limits,
                                                         ToLongFunction<ImportIntent.Entry> size) {
        List<List<ImportIntent.Entry>> out = new ArrayList<>();
        List<ImportIntent.Entry> slice = new ArrayList<>();
        long bytes = 0;
        // one entry of the limit is left for the head
        int most = limits.entries() == Integer.MAX_VALUE ? Integer.MAX_VALUE : Math.max(1, limits.entries() - 1);
        for (ImportIntent.Entry e : entries) {
            long b = size.applyAsLong(e);
            if (!slice.isEmpty() && (slice.size() >= most || bytes + b > limits.bytes() / 2)) {
                out.add(slice);
                slice = new ArrayList<>();
                bytes = 0;
            }
            slice.add(e);
            bytes += b;
        }
        out.add(slice);
        return out;
    }

    /**
     * Says that {@code owner} is alive and still owns intent {@code id}; answers false when it does not any more (a
     * recovery took it) or the intent is gone.
     */
    public Uni<Boolean> beat(String id, String owner) {
        return computeWithLock(id, OptionalLong.empty(), current -> {
            if (current.isEmpty() || !current.get().owner().equals(owner)) {
                return Modification.unchanged(false);
            }
            return Modification.write(current.get().beat(owner, now()), stored -> true);
        });
    }

    /** Notes that entry {@code index} of intent {@code id} was stored at {@code stored}, not the planned version. */
    public Uni<Void> stored(String id, int index, long stored) {
        return computeWithLock(id, OptionalLong.empty(), current -> {
            ImportIntent intent = existing(id, current);
            ImportIntent.Entry e = intent.entries().get(index);
            return Modification.write(intent.with(index, new ImportIntent.Entry(e.kind(), e.id(), e.before(), stored,
                    e.imported())), done -> null);
        });
    }

    /** Every intent whose owner has been silent for longer than {@code staleAfter}. */
    public Uni<List<ImportIntent>> stale(Duration staleAfter) {
        Instant limit = now().minus(staleAfter);
        return list().map(all -> all.stream().filter(i -> i.heartbeat().isBefore(limit)).toList());
    }

    /**
     * Takes intent {@code intent} over for {@code owner}, if nobody changed it since it was read (its version): of
     * replicas that try at once, one gets it. Answers the intent as taken, or empty.
     */
    public Uni<Optional<ImportIntent>> take(ImportIntent intent, String owner) {
        return computeWithLock(intent.id(), OptionalLong.of(intent.version()),
                current -> Modification.<ImportIntent, Optional<ImportIntent>>write(
                        existing(intent.id(), current).beat(owner, now()), Optional::of))
                .onFailure(io.hasp.storage.VersionConflictException.class).recoverWithItem(Optional.empty());
    }

    /** Deletes intent {@code id} (a finished import's, or a rolled back one's). */
    public Uni<Void> finish(String id) {
        return delete(id, OptionalLong.empty()).replaceWithVoid();
    }
}
