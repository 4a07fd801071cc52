package io.hasp.filechange;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.HaspConfig;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The file-change index (which sessions changed which path), kept incrementally instead of rebuilt on every
 * session completion.
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
 * 2 and 3 leaves the index behind its records until the next merge of those paths or {@link #rebuild()}. Where one
 * change of the index may write only so many paths (etcd: one transaction), step 3 is made in several changes of as
 * many paths each, every one copying from the record as it is then.
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

    /** For tests without CDI. @param maxEntries most entries of the index ({@value #MAX_ENTRIES_SETTING}) */
    public FileChangeIndex(SessionChangeRepository sessions, ChangeIndexRepository index, int maxEntries) {
        this.sessions = sessions;
        this.index = index;
        this.maxEntries = maxEntries;
    }

    /** Merges {@code changes} into session {@code sessionId} and the index; answers the session's record. */
    public Uni<SessionChanges> merge(String sessionId, List<FileChange> changes) {
        SafeNames.require("session id", sessionId);
        Set<String> touched = new TreeSet<>();
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
        }).call(record -> Multi.createFrom().iterable(chunks(touched, index.limits().entries()))
                .onItem().transformToUniAndConcatenate(paths -> index.modify(current -> copied(current, sessionId,
                        paths, record)))
                .collect().last());
    }

    /** Step 3 for {@code touched}: the index with the session's entries of those paths copied from its record. */
    private ChangeIndex copied(Optional<ChangeIndex> current, String sessionId, Collection<String> touched,
                               SessionChanges record) {
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
    }

    /** {@code items} (in their order) in lists of at most {@code size}. */
    private static List<List<String>> chunks(Collection<String> items, int size) {
        List<List<String>> chunks = new ArrayList<>();
        List<String> chunk = new ArrayList<>();
        for (String item : items) {
            if (chunk.size() == size) {
                chunks.add(chunk);
                chunk = new ArrayList<>();
            }
            chunk.add(item);
        }
        chunks.add(chunk);
        return chunks;
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

    /**
     * Rebuilds the index from every session record, under the index's lock. Where one change of the index may write
     * only so many paths (etcd), the records are read first and the index is brought to them in changes of as many
     * paths each; a merge that runs meanwhile is left right for its own paths, since each merge copies from its record.
     */
    public Uni<Rebuilt> rebuild() {
        int most = index.limits().entries();
        if (most == Integer.MAX_VALUE) {
            int[] counts = new int[2];
            return index.modify(current -> {
                List<SessionChanges> all = sessions.list().await().indefinitely();
                Map<String, List<IndexEntry>> paths = indexOf(all);
                counts[0] = all.size();
                counts[1] = paths.size();
                return new ChangeIndex(0, sessions.currentTime(), paths);
            }).map(stored -> new Rebuilt(counts[0], counts[1]));
        }
        return sessions.list().chain(all -> index.get().chain(current -> {
            Map<String, List<IndexEntry>> wanted = indexOf(all);
            Set<String> paths = new TreeSet<>(wanted.keySet());
            current.ifPresent(i -> paths.addAll(i.paths().keySet()));
            return Multi.createFrom().iterable(chunks(paths, most))
                    .onItem().transformToUniAndConcatenate(chunk -> index.modify(now -> {
                        Map<String, List<IndexEntry>> next = new HashMap<>(now.map(ChangeIndex::paths)
                                .orElse(Map.of()));
                        for (String path : chunk) {
                            List<IndexEntry> entries = wanted.get(path);
                            if (entries == null) {
                                next.remove(path);
                            } else {
                                next.put(path, entries);
                            }
                        }
                        return new ChangeIndex(0, sessions.currentTime(), next);
                    }))
                    .collect().last()
                    .map(stored -> new Rebuilt(all.size(), wanted.size()));
        }));
    }

    private static Map<String, List<IndexEntry>> indexOf(List<SessionChanges> all) {
        Map<String, List<IndexEntry>> paths = new TreeMap<>();
        for (SessionChanges record : all) {
            for (FileChange c : record.changes()) {
                paths.computeIfAbsent(c.path(), p -> new ArrayList<>())
                        .add(new IndexEntry(record.sessionId(), c.kind(), c.at()));
            }
        }
        paths.values().forEach(entries -> entries.sort(Comparator.comparing(IndexEntry::sessionId)));
        Map<String, List<IndexEntry>> frozen = new TreeMap<>();
        paths.forEach((path, entries) -> frozen.put(path, List.copyOf(entries)));
        return frozen;
    }
}
