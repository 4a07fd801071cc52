package io.hasp.transfer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.ValidationException;
import io.hasp.credential.StoredCredential;
import io.hasp.http.ProblemException;
import io.hasp.queue.Queue;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStore;
import io.hasp.storage.SafeNames;
import io.hasp.storage.VersionConflictException;
import io.hasp.storage.Versioned;
import io.hasp.storage.etcd.EtcdRecordStore;
import io.hasp.token.StoredToken;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Export and import of every record, whatever the backend: the way from one backend to another and a backup.
 *
 * <p>An export is every record of every kind ({@link TransferKind}, in that order), one {@link TransferLine} each,
 * read kind by kind as the stores list them; on etcd every kind is read at the one revision the export started at,
 * so that the export is one consistent state of every record, however long it takes while writes go on.
 *
 * <p>An import, all or nothing, even when its process dies midway:
 * <ol>
 *   <li>every line is read and checked first (a known kind, a valid record of it, the id the record says, no
 *       (kind, id) twice): a bad line is 400 naming its line number, and nothing is written;</li>
 *   <li>every record of the import's kinds is read; in {@code merge} mode, a record that exists already is 409 naming
 *       its kind and id, nothing written;</li>
 *   <li>an {@link ImportIntent} is made durable: each (kind, id) the import writes, as it was found, and the version
 *       the import stores; its heartbeat is refreshed while the import runs;</li>
 *   <li>each record is stored as it was exported, its version included (raised above the found one's when that is not
 *       below it, so no entity tag comes back), on the condition that it is still at the version found (absent:
 *       none): a record changed in between is 409 naming it; tokens and credentials each as entries of their one
 *       record ({@code restoreAll});</li>
 *   <li>if any of it fails, what was stored is rolled back as {@link ImportRecovery} does (only what is still as the
 *       import left it) and the failure answered; the intent is deleted either way. If the process dies, the intent
 *       goes stale and the sweeper of any replica rolls the import back;</li>
 *   <li>the file-change index is rebuilt from the session records when any was imported.</li>
 * </ol>
 */
@ApplicationScoped
public class RecordTransfer {

    private static final Logger LOG = Logger.getLogger(RecordTransfer.class);

    @Inject
    TransferRepositories repos;

    @Inject
    ObjectMapper json;

    @Inject
    ImportIntents intents;

    @Inject
    ImportRecovery recovery;

    @Inject
    HaspConfig config;

    /** A checked line of an import. */
    private record Parsed(TransferKind kind, String id, Object record) {
    }

    /**
     * Every record, kind by kind. On etcd, every record as it was at one revision, the cluster's when the export
     * starts: one consistent state of all of them. On files, each record as it was when its kind was read.
     */
    public Multi<TransferLine> export() {
        Uni<Long> revision = repos.queues.store() instanceof EtcdRecordStore<Queue> etcd ? etcd.revision()
                : Uni.createFrom().item(0L);
        return revision.onItem().transformToMulti(at -> Multi.createFrom().items(TransferKind.values())
                .onItem().transformToMultiAndConcatenate(kind -> (at == 0 ? all(kind) : all(kind, at))
                        .onItem().transformToMulti(records -> Multi.createFrom().iterable(records))
                        .map(r -> new TransferLine(kind.wire(), kind.idOf(r), json.valueToTree(r)))));
    }

    /** Every record of {@code kind} at etcd revision {@code revision}. */
    private Uni<List<?>> all(TransferKind kind, long revision) {
        return switch (kind) {
            case TOKEN -> at(repos.tokens.store(), revision)
                    .map(l -> l.stream().flatMap(t -> t.tokens().stream()).toList());
            case CREDENTIAL -> at(repos.credentials.store(), revision)
                    .map(l -> l.stream().flatMap(c -> c.credentials().stream()).toList());
            default -> at(repos.keyed(kind).store(), revision).map(l -> l);
        };
    }

    private static <T extends Versioned<T>> Uni<List<T>> at(RecordStore<T> store, long revision) {
        if (store instanceof EtcdRecordStore<T> etcd) {
            return etcd.listAt(revision);
        }
        throw new IllegalStateException("records on etcd and on files at once");
    }

    private Uni<List<?>> all(TransferKind kind) {
        return switch (kind) {
            case TOKEN -> repos.tokens.storedAll().map(l -> l);
            case CREDENTIAL -> repos.credentials.storedAll().map(l -> l);
            default -> repos.keyed(kind).list().map(l -> l);
        };
    }

    /** Imports the lines of {@code body}; answers how many records were imported (see the class contract). */
    public Uni<Integer> importAll(String body, boolean replace) {
        List<Parsed> lines = ordered(parse(body));
        return befores(lines).chain(befores -> {
            if (!replace) {
                absent(lines, befores);
            }
            Run run = new Run(UUID.randomUUID().toString(), "import-" + UUID.randomUUID(), plan(lines, befores));
            return intents.begin(run.id, run.owner, run.entries, e -> json.valueToTree(e).toString().length())
                    .chain(() -> heartbeat(run, store(lines, replace, run)))
                    .onFailure().call(f -> run.lost.get() ? Uni.createFrom().voidItem() : undo(run, f))
                    .chain(() -> intents.finish(run.id));
        }).chain(() -> lines.stream().anyMatch(p -> p.kind() == TransferKind.FILE_CHANGES)
                        ? repos.index.rebuild().replaceWithVoid() : Uni.createFrom().voidItem())
                .invoke(() -> LOG.infof("imported %d record(s) (%s)", lines.size(), replace ? "replace" : "merge"))
                .replaceWith(lines.size());
    }

    /** One running import: its intent's id, its owner, and the entries (their stored versions noted as they come). */
    private static final class Run {
        final String id;
        final String owner;
        final List<ImportIntent.Entry> entries;
        final AtomicBoolean lost = new AtomicBoolean();

        Run(String id, String owner, List<ImportIntent.Entry> entries) {
            this.id = id;
            this.owner = owner;
            this.entries = Collections.synchronizedList(new ArrayList<>(entries));
        }

        ImportIntent intent() {
            return new ImportIntent(id, 0, owner, null, new ArrayList<>(entries));
        }
    }

    /** The records with ids first, then tokens, then credentials: the order they are written in. */
    private static List<Parsed> ordered(List<Parsed> lines) {
        List<Parsed> out = new ArrayList<>();
        lines.stream().filter(p -> p.kind() != TransferKind.TOKEN && p.kind() != TransferKind.CREDENTIAL)
                .forEach(out::add);
        lines.stream().filter(p -> p.kind() == TransferKind.TOKEN).forEach(out::add);
        lines.stream().filter(p -> p.kind() == TransferKind.CREDENTIAL).forEach(out::add);
        return out;
    }

    /** Every record of the kinds of {@code lines} as it is now, by kind and id. */
    private Uni<Map<String, Object>> befores(List<Parsed> lines) {
        Map<String, Object> out = new HashMap<>();
        return Multi.createFrom().iterable(lines.stream().map(Parsed::kind).distinct().toList())
                .onItem().transformToUniAndConcatenate(kind -> all(kind)
                        .invoke(existing -> existing.forEach(r -> out.put(kind.wire() + "/" + kind.idOf(r), r))))
                .collect().last().replaceWith(out);
    }

    /** The intent's entries: each line's record as it is now and, for a record with an id, the version stored. */
    private List<ImportIntent.Entry> plan(List<Parsed> lines, Map<String, Object> befores) {
        List<ImportIntent.Entry> entries = new ArrayList<>();
        for (Parsed p : lines) {
            Object before = befores.get(p.kind().wire() + "/" + p.id());
            JsonNode was = before == null ? null : json.valueToTree(before);
            if (p.record() instanceof Versioned<?> v) {
                long stored = before == null ? v.version()
                        : Math.max(v.version(), ((Versioned<?>) before).version() + 1);
                entries.add(new ImportIntent.Entry(p.kind().wire(), p.id(), was, stored, null));
            } else {
                entries.add(new ImportIntent.Entry(p.kind().wire(), p.id(), was, 0, json.valueToTree(p.record())));
            }
        }
        return entries;
    }

    /** {@code work}, with the intent's heartbeat refreshed while it runs; a lost intent stops the writes. */
    private Uni<Void> heartbeat(Run run, Uni<Void> work) {
        Duration every = config.importSettings().staleAfter().dividedBy(6);
        Cancellable beats = Multi.createFrom().ticks().every(every.isZero() ? Duration.ofMillis(1) : every)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(t -> intents.beat(run.id, run.owner)
                        .onFailure().recoverWithItem(f -> {
                            LOG.warnf("an import could not refresh its heartbeat (%s)", f.toString());
                            return true;
                        }))
                .subscribe().with(alive -> {
                    if (!alive) {
                        run.lost.set(true);
                    }
                });
        return work.onTermination().invoke(beats::cancel);
    }

    /** Step 1: every line read and checked. */
    private List<Parsed> parse(String body) {
        List<Parsed> out = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        String[] lines = body == null ? new String[0] : body.split("\n", -1);
        for (int n = 0; n < lines.length; n++) {
            String line = lines[n].strip();
            if (line.isEmpty()) {
                continue;
            }
            Parsed p = parseLine(n + 1, line);
            if (!seen.add(p.kind().wire() + "/" + p.id())) {
                throw bad(n + 1, p.kind().wire() + " " + p.id() + " appears twice");
            }
            out.add(p);
        }
        return out;
    }

    private Parsed parseLine(int n, String line) {
        JsonNode node;
        try {
            node = json.readTree(line);
        } catch (JsonProcessingException e) {
            throw bad(n, "not JSON");
        }
        if (node == null || !node.isObject() || !node.path("kind").isTextual() || !node.path("id").isTextual()
                || !node.path("record").isObject()) {
            throw bad(n, "expected {\"kind\", \"id\", \"record\"}");
        }
        TransferKind kind = TransferKind.of(node.get("kind").asText())
                .orElseThrow(() -> bad(n, "kind must be one of queue, bookmark, group, file-changes, token, "
                        + "credential"));
        String id = node.get("id").asText();
        if (!SafeNames.isSafe(id)) {
            throw bad(n, "id is not a valid name");
        }
        Object record;
        try {
            record = json.treeToValue(node.get("record"), kind.type());
        } catch (JsonProcessingException | IllegalArgumentException e) {
            Throwable cause = e.getCause();
            throw bad(n, "not a valid " + kind.wire() + " record" + (cause instanceof ValidationException own
                    ? ": " + own.getMessage() : e instanceof ValidationException own ? ": " + own.getMessage() : ""));
        }
        if (record == null || !id.equals(kind.idOf(record))) {
            throw bad(n, "the record's id is not " + id);
        }
        if (record instanceof Versioned<?> v && v.version() < 1) {
            throw bad(n, "version must be at least 1");
        }
        return new Parsed(kind, id, record);
    }

    private static ProblemException bad(int line, String why) {
        return new ProblemException(400, "invalid-import", "line " + line + ": " + why, Map.of("line", line),
                Map.of());
    }

    /** Step 2: in merge mode, no record of the import may exist. */
    private static void absent(List<Parsed> lines, Map<String, Object> befores) {
        for (Parsed p : lines) {
            if (befores.containsKey(p.kind().wire() + "/" + p.id())) {
                throw new ProblemException(409, "conflict", p.kind().wire() + " " + p.id()
                        + " exists already (mode=merge)", Map.of("kind", p.kind().wire(), "id", p.id()), Map.of());
            }
        }
    }

    /** Step 3: every record stored, each on the condition that it is still as the intent says. */
    private Uni<Void> store(List<Parsed> lines, boolean replace, Run run) {
        List<StoredToken> tokenLines = new ArrayList<>();
        List<StoredCredential> credentialLines = new ArrayList<>();
        List<Integer> records = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Parsed p = lines.get(i);
            switch (p.kind()) {
                case TOKEN -> tokenLines.add((StoredToken) p.record());
                case CREDENTIAL -> credentialLines.add((StoredCredential) p.record());
                default -> records.add(i);
            }
        }
        return Multi.createFrom().iterable(records)
                .onItem().transformToUniAndConcatenate(i -> restore(lines.get(i), i, run))
                .collect().last()
                .chain(() -> tokenLines.isEmpty() ? Uni.createFrom().voidItem()
                        : stillOwned(run).chain(() -> repos.tokens.restoreAll(tokenLines, replace)).replaceWithVoid())
                .chain(() -> credentialLines.isEmpty() ? Uni.createFrom().voidItem()
                        : stillOwned(run).chain(() -> repos.credentials.restoreAll(credentialLines, replace))
                                .replaceWithVoid());
    }

    private Uni<Void> stillOwned(Run run) {
        return run.lost.get() ? Uni.createFrom().failure(new ProblemException(503, "import-interrupted",
                "the import stalled and was rolled back; run it again", Map.of(), Map.of()))
                : Uni.createFrom().voidItem();
    }

    private Uni<Void> restore(Parsed p, int index, Run run) {
        return stillOwned(run).chain(() -> restore(repos.keyed(p.kind()), p, index, run));
    }

    /**
     * Stores line {@code index} at the version the intent says, if the record is still at the version the intent
     * found (absent: 0); a version the store raised (above an etcd tombstone's) is noted in the intent.
     */
    @SuppressWarnings("unchecked")
    private <T extends Versioned<T>> Uni<Void> restore(RecordRepository<T> repository, Parsed p, int index, Run run) {
        ImportIntent.Entry e = run.entries.get(index);
        T record = ((T) p.record()).withVersion(e.stored());
        return repository.store().change(p.id(), OptionalLong.of(e.beforeVersion()), 0,
                        current -> Modification.<T, Long>restore(record, Versioned::version))
                .onFailure(LimitExceededException.class).recoverWithUni(f -> sliced(repository, p, record, e))
                .onFailure(VersionConflictException.class).transform(f -> new ProblemException(409, "conflict",
                        p.kind().wire() + " " + p.id() + " changed while the import ran; nothing was imported",
                        Map.of("kind", p.kind().wire(), "id", p.id()), Map.of()))
                .chain(stored -> {
                    if (stored == e.stored()) {
                        return Uni.createFrom().voidItem();
                    }
                    run.entries.set(index, new ImportIntent.Entry(e.kind(), e.id(), e.before(), stored, null));
                    return intents.stored(run.id, index, stored);
                });
    }

    /**
     * A record too large for one change of the store (a queue of more commands than one etcd transaction takes),
     * restored in slices by its repository: the before-state is checked first, then the slices written; its version
     * is read back. Unlike the one-change path, a change made between the check and the writes is not seen.
     */
    private static <T extends Versioned<T>> Uni<Long> sliced(RecordRepository<T> repository, Parsed p, T record,
                                                             ImportIntent.Entry e) {
        return repository.store().get(p.id()).chain(current -> {
            long now = current.map(Versioned::version).orElse(0L);
            if (now != e.beforeVersion()) {
                throw new VersionConflictException(e.beforeVersion(), now);
            }
            return repository.restore(p.id(), record, true, p.kind().wire() + " " + p.id());
        }).chain(() -> repository.store().get(p.id())).map(now -> now.map(Versioned::version).orElse(0L));
    }

    /** Step 4: what was stored, undone last first, as a recovery would; then the intent is deleted. */
    private Uni<Void> undo(Run run, Throwable why) {
        LOG.warnf("an import failed (%s); undoing what it stored", why.toString());
        return recovery.rollBack(run.intent()).onFailure().recoverWithItem(f -> {
            LOG.errorf("undoing a failed import failed (%s); the sweeper rolls it back once its intent is stale",
                    f.toString());
            return null;
        });
    }
}
