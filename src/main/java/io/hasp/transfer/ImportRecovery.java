package io.hasp.transfer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.CredentialStore;
import io.hasp.credential.StoredCredential;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStore;
import io.hasp.storage.Versioned;
import io.hasp.token.StoredToken;
import io.hasp.token.TokenRepository;
import io.hasp.token.TokenStore;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Rolls back imports whose process died while writing (run by the sweeper on every replica). An intent whose owner
 * has been silent for longer than {@code hasp.import.stale-after} is taken over by one replica (a change of the intent
 * that expects the version it read: of replicas that try at once, one wins), then each of its entries is looked at,
 * last first:
 * <ul>
 *   <li>still as the import wrote it (a record at the version the import stored; a token or credential equal to the
 *       one it put): put back as it was before (absent: deleted). A record put back gets a version above its current
 *       one, so no entity tag comes back;</li>
 *   <li>as it was before the import (the import did not reach it): left;</li>
 *   <li>changed since the import wrote it (by someone else): left as it is, with a warning naming kind and id.</li>
 * </ul>
 * Then the intent is deleted and, when session records were among its entries, the file-change index rebuilt. A
 * recovery that dies itself is taken over again once its intent is stale: what it put back is then "changed since"
 * and left.
 */
@ApplicationScoped
public class ImportRecovery {

    private static final Logger LOG = Logger.getLogger(ImportRecovery.class);

    private enum Outcome { ROLLED_BACK, UNTOUCHED, KEPT }

    private final ImportIntents intents;
    private final TransferRepositories repos;
    private final ObjectMapper json;
    /** Heartbeat silence after which an intent is rolled back ({@code hasp.import.stale-after}). */
    private final Duration staleAfter;

    @Inject
    public ImportRecovery(ImportIntents intents, TransferRepositories repos, ObjectMapper json, HaspConfig config) {
        this.intents = intents;
        this.repos = repos;
        this.json = json;
        this.staleAfter = config.importSettings().staleAfter();
    }

    /** Rolls back every stale intent this replica manages to take; answers how many it rolled back. */
    public Uni<Integer> recoverStale() {
        String owner = "recovery-" + UUID.randomUUID();
        return intents.stale(staleAfter)
                .onItem().transformToMulti(stale -> Multi.createFrom().iterable(stale))
                .onItem().transformToUniAndConcatenate(intent -> intents.take(intent, owner)
                        .chain(taken -> taken.isEmpty() ? Uni.createFrom().item(0)
                                : rollBack(taken.get()).replaceWith(1)))
                .collect().asList()
                .map(done -> done.stream().mapToInt(Integer::intValue).sum());
    }

    /** Rolls back {@code intent}, which this replica owns now, and deletes it. */
    Uni<Void> rollBack(ImportIntent intent) {
        List<ImportIntent.Entry> reversed = new ArrayList<>(intent.entries());
        Collections.reverse(reversed);
        boolean sessionsTouched = reversed.stream()
                .anyMatch(e -> TransferKind.FILE_CHANGES.wire().equals(e.kind()));
        return Multi.createFrom().iterable(reversed)
                .onItem().transformToUniAndConcatenate(this::rollBack)
                .collect().asList()
                .chain(outcomes -> intents.finish(intent.id())
                        .chain(() -> sessionsTouched ? repos.index.rebuild().replaceWithVoid()
                                : Uni.createFrom().voidItem())
                        .invoke(() -> LOG.warnf("rolled back interrupted import %s: %d record(s) put back, %d not "
                                + "reached, %d changed since and kept", intent.id(), count(outcomes,
                                Outcome.ROLLED_BACK), count(outcomes, Outcome.UNTOUCHED),
                                count(outcomes, Outcome.KEPT))));
    }

    private static long count(List<Outcome> outcomes, Outcome which) {
        return outcomes.stream().filter(o -> o == which).count();
    }

    private Uni<Outcome> rollBack(ImportIntent.Entry e) {
        TransferKind kind = TransferKind.of(e.kind())
                .orElseThrow(() -> new IllegalStateException("an intent names an unknown kind"));
        return switch (kind) {
            case TOKEN -> entry(repos.tokens.store(), TokenRepository.KIND.singletonId(), new TokenStore(0, List.of()),
                    TokenStore::tokens, (r, l) -> new TokenStore(r.version(), l), StoredToken::id,
                    StoredToken.class, e);
            case CREDENTIAL -> entry(repos.credentials.store(), CredentialRepository.KIND.singletonId(),
                    new CredentialStore(0, List.of()), CredentialStore::credentials,
                    (r, l) -> new CredentialStore(r.version(), l), StoredCredential::name, StoredCredential.class, e);
            default -> record(repos.keyed(kind), kind, e);
        };
    }

    /** A record with an id: back to its before-state while it is at the version the import stored. */
    @SuppressWarnings("unchecked")
    private <T extends Versioned<T>> Uni<Outcome> record(RecordRepository<T> repository, TransferKind kind,
                                                         ImportIntent.Entry e) {
        Class<T> type = (Class<T>) kind.type();
        T before = e.absentBefore() ? null : value(e.before(), type);
        return repository.store().change(e.id(), OptionalLong.empty(), 0, current -> {
            long now = current.map(Versioned::version).orElse(0L);
            if (current.isPresent() && now == e.stored()) {
                return before == null ? Modification.<T, Outcome>delete(gone -> Outcome.ROLLED_BACK)
                        : Modification.<T, Outcome>restore(before, stored -> Outcome.ROLLED_BACK);
            }
            return Modification.unchanged(now == e.beforeVersion() ? Outcome.UNTOUCHED : kept(e));
        }).onFailure(LimitExceededException.class).recoverWithUni(f -> sliced(repository, e, before));
    }

    /**
     * A record too large for one change of the store (a queue of more commands than one etcd transaction takes): its
     * version checked, then put back by its repository's {@link RecordRepository#undo} (in slices); a change made
     * between the check and the undo is not seen.
     */
    private <T extends Versioned<T>> Uni<Outcome> sliced(RecordRepository<T> repository, ImportIntent.Entry e,
                                                         T before) {
        return repository.store().get(e.id()).chain(current -> {
            long now = current.map(Versioned::version).orElse(0L);
            if (current.isPresent() && now == e.stored()) {
                return repository.undo(new RecordRepository.Restored<>(e.id(), Optional.ofNullable(before)))
                        .replaceWith(Outcome.ROLLED_BACK);
            }
            return Uni.createFrom().item(now == e.beforeVersion() ? Outcome.UNTOUCHED : kept(e));
        });
    }

    /** A token or credential (an entry of one record): back to its before-state while it is the one imported. */
    private <T extends Versioned<T>, E> Uni<Outcome> entry(RecordStore<T> store, String id, T empty,
                                                           Function<T, List<E>> list, BiFunction<T, List<E>, T> with,
                                                           Function<E, String> key, Class<E> type,
                                                           ImportIntent.Entry e) {
        E before = e.absentBefore() ? null : value(e.before(), type);
        return store.change(id, OptionalLong.empty(), 0, current -> {
            T record = current.orElse(empty);
            List<E> entries = new ArrayList<>(list.apply(record));
            int at = -1;
            for (int i = 0; i < entries.size(); i++) {
                if (key.apply(entries.get(i)).equals(e.id())) {
                    at = i;
                }
            }
            JsonNode now = at < 0 ? null : json.valueToTree(entries.get(at));
            if (now != null && now.equals(e.imported())) {
                if (before == null) {
                    entries.remove(at);
                } else {
                    entries.set(at, before);
                }
                return Modification.write(with.apply(record, entries), stored -> Outcome.ROLLED_BACK);
            }
            boolean untouched = now == null ? e.absentBefore() : now.equals(e.before());
            return Modification.unchanged(untouched ? Outcome.UNTOUCHED : kept(e));
        });
    }

    private static Outcome kept(ImportIntent.Entry e) {
        LOG.warnf("rolling back an interrupted import: %s %s was changed since the import wrote it; left as it is",
                e.kind(), e.id());
        return Outcome.KEPT;
    }

    private <V> V value(JsonNode node, Class<V> type) {
        try {
            return json.treeToValue(node, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an intent holds a record that does not parse");
        }
    }
}
