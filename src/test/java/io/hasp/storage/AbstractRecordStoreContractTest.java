package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.hasp.TestConfig;
import io.hasp.credential.CredentialEntry;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.CredentialRequest;
import io.hasp.credential.CredentialStore;
import io.hasp.credential.ImportMode;
import io.hasp.credential.ImportRequest;
import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.queue.Command;
import io.hasp.queue.CommandStatus;
import io.hasp.queue.NewCommandRequest;
import io.hasp.queue.Queue;
import io.hasp.queue.QueueRepository;
import io.smallrye.mutiny.Uni;

/**
 * The promises of {@link RecordStore}, the same cases for every backend (as ShedLock's providers all run one abstract
 * test): each case works on two replicas, two stores of one kind over one backend (one directory, one etcd cluster)
 * that share nothing in memory, as two Hasp processes would.
 */
public abstract class AbstractRecordStoreContractTest {

    protected static final Duration WAIT = Duration.ofSeconds(60);

    /** A minimal record kind: a counter. */
    public record Counter(String id, long version, long value) implements Versioned<Counter> {
        @Override
        public Counter withVersion(long newVersion) {
            return new Counter(id, newVersion, value);
        }
    }

    protected static final RecordKind<Counter> COUNTERS = RecordKind.whole("counters", "counter", Counter.class);

    /**
     * Replica {@code n}'s store of {@code kind} on this test's backend (the same directory or namespace for every
     * {@code n} within one test, a fresh one for every test), whose new records start at {@code clock}.
     */
    protected abstract <T extends Versioned<T>> RecordStore<T> replica(int n, RecordKind<T> kind, Clock clock);

    protected <T extends Versioned<T>> RecordStore<T> replica(int n, RecordKind<T> kind) {
        return replica(n, kind, Clock.systemUTC());
    }

    /** Replica {@code n}'s stores of every kind, for repositories. */
    protected RecordStores replica(int n) {
        return new RecordStores() {
            @Override
            public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind) {
                return replica(n, kind);
            }
        };
    }

    private static Uni<Counter> add(RecordStore<Counter> store, String id, long delta, OptionalLong expected) {
        return store.change(id, expected, 0, current -> Modification.write(
                new Counter(id, 0, current.map(Counter::value).orElse(0L) + delta), stored -> stored));
    }

    private static long micros(Instant at) {
        return at.getEpochSecond() * 1_000_000L + at.getNano() / 1_000L;
    }

    @Test
    void anAbsentRecordReadsEmptyAndNothingIsListed() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        assertEquals(Optional.empty(), a.get("nothing").await().atMost(WAIT));
        assertEquals(List.of(), a.list().await().atMost(WAIT));
    }

    @Test
    void aNewRecordStartsAtItsCreationTimeInMicrosecondsAndEachChangeAddsOne() {
        Instant at = Instant.parse("2026-03-01T12:00:00.123456Z");
        RecordStore<Counter> a = replica(0, COUNTERS, new TestClock(at));
        Counter first = add(a, "c", 1, OptionalLong.empty()).await().atMost(WAIT);
        Counter second = add(a, "c", 1, OptionalLong.of(first.version())).await().atMost(WAIT);

        assertEquals(micros(at), first.version());
        assertEquals(first.version() + 1, second.version());
        assertEquals(2, a.get("c").await().atMost(WAIT).orElseThrow().value());
    }

    @Test
    void aStaleExpectedVersionFailsAndChangesNothing() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        Counter first = add(a, "c", 1, OptionalLong.empty()).await().atMost(WAIT);
        add(b, "c", 1, OptionalLong.of(first.version())).await().atMost(WAIT);

        VersionConflictException e = assertThrows(VersionConflictException.class,
                () -> add(a, "c", 10, OptionalLong.of(first.version())).await().atMost(WAIT));

        assertEquals(first.version() + 1, e.actual());
        assertEquals(2, a.get("c").await().atMost(WAIT).orElseThrow().value());
        assertThrows(VersionConflictException.class,
                () -> add(a, "absent", 1, OptionalLong.of(5)).await().atMost(WAIT));
        assertEquals(Optional.empty(), b.get("absent").await().atMost(WAIT));
    }

    @Test
    void aFailingChangeFailsAloneAndTheChangesBatchedWithItAreKept() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        add(a, "c", 0, OptionalLong.empty()).await().atMost(WAIT);
        List<Supplier<Uni<Counter>>> changes = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            boolean fails = i == 7;
            changes.add(() -> a.change("c", OptionalLong.empty(), 0, current -> {
                if (fails) {
                    throw new RecordConflictException("this one fails");
                }
                return Modification.write(new Counter("c", 0, current.orElseThrow().value() + 1), s -> s);
            }));
        }
        List<ConcurrencyHelpers.Outcome<Counter>> outcomes =
                ConcurrencyHelpers.runConcurrent(changes).await().atMost(WAIT);

        assertEquals(1, outcomes.stream().filter(o -> o.error() instanceof RecordConflictException).count());
        assertEquals(19, replica(1, COUNTERS).get("c").await().atMost(WAIT).orElseThrow().value());
    }

    @Test
    void twoReplicasChangingOneRecordAtOnceLoseNoUpdate() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        List<Supplier<Uni<Counter>>> changes = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            RecordStore<Counter> via = i % 2 == 0 ? a : b;
            changes.add(() -> add(via, "c", 1, OptionalLong.empty()));
        }
        List<ConcurrencyHelpers.Outcome<Counter>> outcomes =
                ConcurrencyHelpers.runConcurrent(changes).await().atMost(WAIT);

        Set<Long> versions = new HashSet<>();
        outcomes.forEach(o -> versions.add(o.result().version()));
        assertEquals(60, versions.size(), "every change answered with a version of its own");
        assertEquals(60, a.get("c").await().atMost(WAIT).orElseThrow().value());
        assertEquals(60, b.get("c").await().atMost(WAIT).orElseThrow().value());
    }

    @Test
    void aRecordDeletedAndCreatedAgainNeverRepeatsAVersion() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        Set<Long> seen = new HashSet<>();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < 5; i++) {
                assertTrue(seen.add(add(round % 2 == 0 ? a : b, "c", 1, OptionalLong.empty()).await().atMost(WAIT)
                        .version()));
            }
            long last = b.get("c").await().atMost(WAIT).orElseThrow().version();
            assertTrue(a.change("c", OptionalLong.of(last), 0, c -> Modification.<Counter, Boolean>delete(x -> true))
                    .await().atMost(WAIT));
            assertEquals(Optional.empty(), b.get("c").await().atMost(WAIT));
        }
        assertEquals(15, seen.size());
    }

    @Test
    void eachReplicaReadsWhatTheOtherWrote() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        add(a, "c", 5, OptionalLong.empty()).await().atMost(WAIT);
        assertEquals(5, b.get("c").await().atMost(WAIT).orElseThrow().value());
        Counter changed = add(b, "c", 2, OptionalLong.empty()).await().atMost(WAIT);
        assertEquals(changed, a.get("c").await().atMost(WAIT).orElseThrow());
        assertEquals(changed, a.list().await().atMost(WAIT).get(0));
    }

    @Test
    void aListingIsSortedByIdAndHoldsEveryReplicasRecords() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        for (String id : List.of("m", "b", "z", "a")) {
            add(id.compareTo("m") < 0 ? a : b, id, 1, OptionalLong.empty()).await().atMost(WAIT);
        }
        assertEquals(List.of("a", "b", "m", "z"), a.list().await().atMost(WAIT).stream().map(Counter::id).toList());
    }

    @Test
    void anUnchangedModificationWritesNothingAndAnswersFromTheStoredRecord() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        Counter stored = add(a, "c", 3, OptionalLong.empty()).await().atMost(WAIT);
        long seen = a.change("c", OptionalLong.empty(), 0,
                current -> Modification.<Counter, Long>unchanged(current.orElseThrow().value())).await().atMost(WAIT);
        assertEquals(3, seen);
        assertEquals(stored.version(), replica(1, COUNTERS).get("c").await().atMost(WAIT).orElseThrow().version());
    }

    @Test
    void aRestoredRecordKeepsItsVersionUnlessTheStoredOneIsHigher() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        Counter restored = a.change("r", OptionalLong.empty(), 0,
                c -> Modification.restore(new Counter("r", 42, 7), s -> s)).await().atMost(WAIT);
        assertEquals(42, restored.version());
        Counter again = a.change("r", OptionalLong.empty(), 0,
                c -> Modification.restore(new Counter("r", 40, 8), s -> s)).await().atMost(WAIT);
        assertEquals(43, again.version(), "never below what was stored");
        assertEquals(again, replica(1, COUNTERS).get("r").await().atMost(WAIT).orElseThrow());
    }

    @Test
    void queueChangesFromTwoReplicasReadTheSameFromAThird() {
        QueueRepository a = new QueueRepository(replica(0), TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        QueueRepository b = new QueueRepository(replica(1), TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        a.create("q", "Q").await().atMost(WAIT);
        List<Supplier<Uni<Command>>> appends = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            QueueRepository via = i % 2 == 0 ? a : b;
            String id = "c" + i;
            appends.add(() -> via.addCommand("q", new NewCommandRequest(id, "run " + id, null), OptionalLong.empty()));
        }
        ConcurrencyHelpers.runConcurrent(appends).await().atMost(WAIT)
                .forEach(o -> assertEquals(null, o.error()));
        Command claimed = b.claim("q", "runner", Duration.ofMinutes(1)).await().atMost(WAIT).orElseThrow();
        // the appends landed in any order: the removal comes first, so that it cannot shift the moved ones
        a.removeCommand("q", "c7", OptionalLong.empty()).await().atMost(WAIT);
        a.moveCommand("q", "c39", 0, OptionalLong.empty()).await().atMost(WAIT);
        b.moveCommand("q", "c5", 10, OptionalLong.empty()).await().atMost(WAIT);
        b.addCommand("q", new NewCommandRequest("late", "late", null), OptionalLong.empty()).await().atMost(WAIT);
        Command again = a.claim("q", "runner", Duration.ofMinutes(1)).await().atMost(WAIT).orElseThrow();

        Queue viaA = a.get("q").await().atMost(WAIT).orElseThrow();
        Queue viaB = b.get("q").await().atMost(WAIT).orElseThrow();
        QueueRepository fresh = new QueueRepository(replica(2), TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        Queue viaFresh = fresh.get("q").await().atMost(WAIT).orElseThrow();
        assertEquals(viaA, viaB);
        assertEquals(viaA, viaFresh);
        List<String> ids = viaA.commands().stream().map(Command::id).toList();
        assertEquals(40, ids.size());
        assertEquals("c39", ids.get(0));
        assertEquals("c5", ids.get(10));
        assertEquals("late", ids.get(39));
        assertFalse(ids.contains("c7"));
        assertEquals(40, new HashSet<>(ids).size());
        assertNotEquals(claimed.id(), again.id());
        assertEquals(2, viaA.commands().stream().filter(c -> c.status() == CommandStatus.RUNNING).count());
    }

    @Test
    void aCollectionsEntriesAreChangedOneByOneAndARemovalIsSeenByEveryReplica() {
        CredentialRepository a = new CredentialRepository(replica(0), Clock.systemUTC(), TestConfig.defaults());
        CredentialRepository b = new CredentialRepository(replica(1), Clock.systemUTC(), TestConfig.defaults());
        List<Supplier<Uni<Boolean>>> puts = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            CredentialRepository via = i % 2 == 0 ? a : b;
            String name = "n" + i;
            puts.add(() -> via.put(name, new CredentialRequest("value-" + name, null)));
        }
        ConcurrencyHelpers.runConcurrent(puts).await().atMost(WAIT).forEach(o -> assertTrue(o.result()));
        assertEquals(20, a.list().await().atMost(WAIT).size());
        b.delete("n3").await().atMost(WAIT);
        a.importAll(new ImportRequest(List.of(new CredentialEntry("n4", "changed", "d")), ImportMode.MERGE))
                .await().atMost(WAIT);

        List<CredentialEntry> seenByA = a.exportAll().await().atMost(WAIT);
        assertEquals(19, seenByA.size());
        assertEquals(seenByA, b.exportAll().await().atMost(WAIT));
        assertTrue(seenByA.contains(new CredentialEntry("n4", "changed", "d")));
        CredentialStore fresh = replica(2, CredentialRepository.KIND).get("credentials").await().atMost(WAIT)
                .orElseThrow();
        assertEquals(19, fresh.credentials().size());
    }
}
