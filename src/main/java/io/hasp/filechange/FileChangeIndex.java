package io.hasp.filechange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.HaspConfig;
import io.hasp.storage.LimitExceededException;
import io.smallrye.mutiny.Uni;

/**
 * The file-change index (plan TASK-009), kept incrementally instead of rebuilt on every session completion.
 *
 * <p>Merging a session's changes:
 * <ol>
 *   <li>Under the session's lock, count the paths new to the session: each adds one index entry. If the index (read
 *       without its lock) plus those would hold more than {@code hasp.limits.file-change-index-entries}, refuse the
 *       merge with {@link LimitExceededException}, before anything is written. Merges of other sessions at the
 *       same moment may each pass the check, so the cap can be passed by their batches; it bounds the growth.</li>
 *   <li>Under the session's lock, fold the changes into its record (latest change per path wins; a change
 *       without {@code at} is stamped now).</li>
 *   <li>Under the index's lock, re-read the session's record and, for every path of this batch, replace that
 *       session's entry with the record's. Entries of other sessions and other paths are never touched.</li>
 * </ol>
 * Step 3 copies from the record rather than from the request, so two merges of one session that reach the index in
 * the other order still leave it matching the record. The two locks are never held together. A crash between steps
 * 2 and 3 leaves the index behind its records until the next merge of those paths or {@link #rebuild()}.
 */
@Singleton
public class FileChangeIndex {

    /** Outcome of a rebuild. */
    public record Rebuilt(int sessions, int paths) {
    }

    /** The configuration key of {@link #maxEntries}. */
    static final String MAX_ENTRIES_SETTING = "hasp.limits.file-change-index-entries";

    private final SessionChangeRepository sessions;
    private final ChangeIndexRepository index;
    private final int maxEntries;

    @Inject
    public FileChangeIndex(SessionChangeRepository sessions, ChangeIndexRepository index, HaspConfig config) {
        this(sessions, index, config.limits().fileChangeIndexEntries());
    }

    /** @param maxEntries most entries of the index ({@value #MAX_ENTRIES_SETTING}) */
    FileChangeIndex(SessionChangeRepository sessions, ChangeIndexRepository index, int maxEntries) {
        this.sessions = sessions;
        this.index = index;
        this.maxEntries = maxEntries;
    }

    /** Merges {@code changes} into session {@code sessionId} and the index; answers the session's record. */
    public Uni<SessionChanges> merge(String sessionId, List<FileChange> changes) {
        sessions.path(sessionId);
        Set<String> touched = new HashSet<>();
        changes.forEach(c -> touched.add(c.path()));
        return sessions.modify(sessionId, current -> {
            checkRoom(current, touched);
            Instant now = sessions.currentTime();
            Map<String, FileChange> byPath = new TreeMap<>();
            current.ifPresent(record -> record.changes().forEach(c -> byPath.put(c.path(), c)));
            for (FileChange change : changes) {
                FileChange stamped = change.at() != null ? change : change.at(now);
                FileChange before = byPath.get(stamped.path());
                if (before == null || !stamped.at().isBefore(before.at())) {
                    byPath.put(stamped.path(), stamped);
                }
            }
            return new SessionChanges(sessionId, 0, now, new ArrayList<>(byPath.values()));
        }).call(record -> index.modify(current -> {
            SessionChanges latest = sessions.getNow(sessionId).orElse(record);
            Map<String, FileChange> byPath = new HashMap<>();
            latest.changes().forEach(c -> byPath.put(c.path(), c));
            Map<String, List<IndexEntry>> paths = new HashMap<>(current.map(ChangeIndex::paths).orElse(Map.of()));
            for (String path : touched) {
                List<IndexEntry> entries = new ArrayList<>(paths.getOrDefault(path, List.of()));
                entries.removeIf(e -> e.sessionId().equals(sessionId));
                FileChange change = byPath.get(path);
                if (change != null) {
                    entries.add(new IndexEntry(sessionId, change.kind(), change.at()));
                }
                entries.sort(Comparator.comparing(IndexEntry::sessionId));
                paths.put(path, List.copyOf(entries));
            }
            return new ChangeIndex(0, sessions.currentTime(), paths);
        }));
    }

    /** Step 1 of a merge: refuses it when the entries it adds would take the index past {@code maxEntries}. */
    private void checkRoom(Optional<SessionChanges> current, Set<String> touched) {
        Set<String> known = new HashSet<>();
        current.ifPresent(record -> record.changes().forEach(c -> known.add(c.path())));
        long added = touched.stream().filter(path -> !known.contains(path)).count();
        if (added == 0) {
            return;
        }
        long entries = index.getNow().map(i -> i.paths().values().stream().mapToLong(List::size).sum()).orElse(0L);
        if (entries + added > maxEntries) {
            throw new LimitExceededException("the file-change index holds " + entries + " entries and this merge "
                    + "would add " + added + ", more than " + MAX_ENTRIES_SETTING + " allows", MAX_ENTRIES_SETTING,
                    maxEntries);
        }
    }

    public Uni<Optional<SessionChanges>> session(String sessionId) {
        return sessions.get(sessionId);
    }

    /** The sessions that changed {@code path}, from the index. */
    public Uni<List<IndexEntry>> byPath(String path) {
        return index.get().map(found -> found.map(i -> i.paths().getOrDefault(path, List.of())).orElse(List.of()));
    }

    /** Rebuilds the index from every session record, under the index's lock. */
    public Uni<Rebuilt> rebuild() {
        int[] counts = new int[2];
        return index.modify(current -> {
            List<SessionChanges> all = sessions.list().await().indefinitely();
            Map<String, List<IndexEntry>> paths = new TreeMap<>();
            for (SessionChanges record : all) {
                for (FileChange c : record.changes()) {
                    paths.computeIfAbsent(c.path(), p -> new ArrayList<>())
                            .add(new IndexEntry(record.sessionId(), c.kind(), c.at()));
                }
            }
            paths.values().forEach(entries -> entries.sort(Comparator.comparing(IndexEntry::sessionId)));
            counts[0] = all.size();
            counts[1] = paths.size();
            return new ChangeIndex(0, sessions.currentTime(), paths);
        }).map(stored -> new Rebuilt(counts[0], counts[1]));
    }
}
