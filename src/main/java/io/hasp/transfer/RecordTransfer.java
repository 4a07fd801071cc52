package io.hasp.transfer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.ValidationException;
import io.hasp.bookmark.BookmarkRepository;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.StoredCredential;
import io.hasp.filechange.FileChangeIndex;
import io.hasp.filechange.SessionChangeRepository;
import io.hasp.group.GroupRepository;
import io.hasp.http.ProblemException;
import io.hasp.queue.Queue;
import io.hasp.queue.QueueRepository;
import io.hasp.storage.EntryImport;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStore;
import io.hasp.storage.SafeNames;
import io.hasp.storage.Versioned;
import io.hasp.storage.etcd.EtcdRecordStore;
import io.hasp.token.StoredToken;
import io.hasp.token.TokenRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Export and import of every record, whatever the backend: the way from one backend to another and a backup.
 *
 * <p>An export is every record of every kind ({@link TransferKind}, in that order), one {@link TransferLine} each,
 * read kind by kind as the stores list them; on etcd every kind is read at the one revision the export started at,
 * so that the export is one consistent state of every record, however long it takes while writes go on.
 *
 * <p>An import, all or nothing:
 * <ol>
 *   <li>every line is read and checked first (a known kind, a valid record of it, the id the record says, no
 *       (kind, id) twice): a bad line is 400 naming its line number, and nothing is written;</li>
 *   <li>in {@code merge} mode, a record that exists already is 409 naming its kind and id, nothing written;</li>
 *   <li>each record is stored as it was exported, its version included ({@link RecordRepository#restore}; a version
 *       not above the stored one's is raised, so no entity tag comes back), tokens and credentials each in one
 *       change where the store takes it ({@link EntryImport});</li>
 *   <li>if any of it fails (a record created meanwhile, the backend unreachable), what was already stored is undone,
 *       last first, and the failure is answered;</li>
 *   <li>the file-change index is rebuilt from the session records when any was imported.</li>
 * </ol>
 * Only a process that dies during step 3 leaves an import half made; running it again with {@code replace} makes it
 * whole.
 */
@ApplicationScoped
public class RecordTransfer {

    private static final Logger LOG = Logger.getLogger(RecordTransfer.class);

    private final QueueRepository queues;
    private final BookmarkRepository bookmarks;
    private final GroupRepository groups;
    private final SessionChangeRepository sessions;
    private final FileChangeIndex index;
    private final TokenRepository tokens;
    private final CredentialRepository credentials;
    private final ObjectMapper json;

    /** A checked line of an import. */
    private record Parsed(TransferKind kind, String id, Object record) {
    }

    @Inject
    public RecordTransfer(QueueRepository queues, BookmarkRepository bookmarks, GroupRepository groups,
                          SessionChangeRepository sessions, FileChangeIndex index, TokenRepository tokens,
                          CredentialRepository credentials, ObjectMapper json) {
        this.queues = queues;
        this.bookmarks = bookmarks;
        this.groups = groups;
        this.sessions = sessions;
        this.index = index;
        this.tokens = tokens;
        this.credentials = credentials;
        this.json = json;
    }

    /**
     * Every record, kind by kind. On etcd, every record as it was at one revision, the cluster's when the export
     * starts: one consistent state of all of them. On files, each record as it was when its kind was read.
     */
    public Multi<TransferLine> export() {
        Uni<Long> revision = queues.store() instanceof EtcdRecordStore<Queue> etcd ? etcd.revision()
                : Uni.createFrom().item(0L);
        return revision.onItem().transformToMulti(at -> Multi.createFrom().items(TransferKind.values())
                .onItem().transformToMultiAndConcatenate(kind -> (at == 0 ? all(kind) : all(kind, at))
                        .onItem().transformToMulti(records -> Multi.createFrom().iterable(records))
                        .map(r -> new TransferLine(kind.wire(), kind.idOf(r), json.valueToTree(r)))));
    }

    /** Every record of {@code kind} at etcd revision {@code revision}. */
    private Uni<List<?>> all(TransferKind kind, long revision) {
        return switch (kind) {
            case QUEUE -> at(queues.store(), revision).map(l -> l);
            case BOOKMARK -> at(bookmarks.store(), revision).map(l -> l);
            case GROUP -> at(groups.store(), revision).map(l -> l);
            case FILE_CHANGES -> at(sessions.store(), revision).map(l -> l);
            case TOKEN -> at(tokens.store(), revision).map(l -> l.stream().flatMap(t -> t.tokens().stream()).toList());
            case CREDENTIAL -> at(credentials.store(), revision)
                    .map(l -> l.stream().flatMap(c -> c.credentials().stream()).toList());
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
            case QUEUE -> queues.list().map(l -> l);
            case BOOKMARK -> bookmarks.list().map(l -> l);
            case GROUP -> groups.list().map(l -> l);
            case FILE_CHANGES -> sessions.list().map(l -> l);
            case TOKEN -> tokens.storedAll().map(l -> l);
            case CREDENTIAL -> credentials.storedAll().map(l -> l);
        };
    }

    /** Imports the lines of {@code body}; answers how many records were imported (see the class contract). */
    public Uni<Integer> importAll(String body, boolean replace) {
        List<Parsed> lines = parse(body);
        Uni<Void> checked = replace ? Uni.createFrom().voidItem() : absent(lines);
        List<Supplier<Uni<Void>>> undo = Collections.synchronizedList(new ArrayList<>());
        return checked.chain(() -> store(lines, replace, undo))
                .onFailure().call(f -> undoAll(undo, f))
                .chain(() -> lines.stream().anyMatch(p -> p.kind() == TransferKind.FILE_CHANGES)
                        ? index.rebuild().replaceWithVoid() : Uni.createFrom().voidItem())
                .invoke(() -> LOG.infof("imported %d record(s) (%s)", lines.size(), replace ? "replace" : "merge"))
                .replaceWith(lines.size());
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
    private Uni<Void> absent(List<Parsed> lines) {
        return Multi.createFrom().items(TransferKind.values())
                .onItem().transformToUniAndConcatenate(kind -> all(kind).invoke(existing -> {
                    Set<String> ids = new HashSet<>();
                    existing.forEach(r -> ids.add(kind.idOf(r)));
                    for (Parsed p : lines) {
                        if (p.kind() == kind && ids.contains(p.id())) {
                            throw new ProblemException(409, "conflict", kind.wire() + " " + p.id()
                                    + " exists already (mode=merge)", Map.of("kind", kind.wire(), "id", p.id()),
                                    Map.of());
                        }
                    }
                }))
                .collect().last().replaceWithVoid();
    }

    /** Step 3: every record stored, each undo noted. */
    private Uni<Void> store(List<Parsed> lines, boolean replace, List<Supplier<Uni<Void>>> undo) {
        List<StoredToken> tokenLines = new ArrayList<>();
        List<StoredCredential> credentialLines = new ArrayList<>();
        List<Parsed> records = new ArrayList<>();
        for (Parsed p : lines) {
            switch (p.kind()) {
                case TOKEN -> tokenLines.add((StoredToken) p.record());
                case CREDENTIAL -> credentialLines.add((StoredCredential) p.record());
                default -> records.add(p);
            }
        }
        return Multi.createFrom().iterable(records)
                .onItem().transformToUniAndConcatenate(p -> restore(p, replace, undo))
                .collect().last()
                .chain(() -> tokenLines.isEmpty() ? Uni.createFrom().voidItem()
                        : tokens.restoreAll(tokenLines, replace).invoke(done -> undo.add(done.undo())).replaceWithVoid())
                .chain(() -> credentialLines.isEmpty() ? Uni.createFrom().voidItem()
                        : credentials.restoreAll(credentialLines, replace).invoke(done -> undo.add(done.undo()))
                                .replaceWithVoid());
    }

    private Uni<Void> restore(Parsed p, boolean replace, List<Supplier<Uni<Void>>> undo) {
        return switch (p.kind()) {
            case QUEUE -> restore(queues, p, replace, undo);
            case BOOKMARK -> restore(bookmarks, p, replace, undo);
            case GROUP -> restore(groups, p, replace, undo);
            case FILE_CHANGES -> restore(sessions, p, replace, undo);
            default -> throw new IllegalStateException("not a record kind with ids: " + p.kind());
        };
    }

    @SuppressWarnings("unchecked")
    private static <T extends Versioned<T>> Uni<Void> restore(RecordRepository<T> repository, Parsed p,
                                                               boolean replace, List<Supplier<Uni<Void>>> undo) {
        return repository.restore(p.id(), (T) p.record(), replace, p.kind().wire() + " " + p.id())
                .invoke(restored -> undo.add(() -> repository.undo(restored)))
                .replaceWithVoid();
    }

    /** Step 4: what was stored, undone last first; a failed undo is logged, the import's failure answered. */
    private Uni<Void> undoAll(List<Supplier<Uni<Void>>> undo, Throwable why) {
        if (undo.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        LOG.warnf("an import failed after %d record(s) (%s); undoing them", undo.size(), why.toString());
        List<Supplier<Uni<Void>>> reversed = new ArrayList<>(undo);
        Collections.reverse(reversed);
        return Multi.createFrom().iterable(reversed)
                .onItem().transformToUniAndConcatenate(u -> u.get().onFailure().recoverWithItem(f -> {
                    LOG.errorf("undoing part of a failed import failed (%s): run the import again", f.toString());
                    return null;
                }))
                .collect().last().replaceWithVoid();
    }
}
