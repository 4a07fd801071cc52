package io.hasp.storage.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.function.Supplier;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import com.google.protobuf.ByteString;

import io.hasp.TestConfig;
import io.hasp.credential.CredentialRepository;
import io.hasp.credential.CredentialRequest;
import io.hasp.etcd.EtcdClients;
import io.hasp.etcd.EtcdCluster;
import io.hasp.etcd.EtcdRequired;
import io.hasp.etcd.api.KeyValue;
import io.hasp.etcd.api.RangeRequest;
import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.queue.Command;
import io.hasp.queue.NewCommandRequest;
import io.hasp.queue.QueueRepository;
import io.hasp.storage.AbstractRecordStoreContractTest;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordStore;
import io.hasp.storage.RecordStores;
import io.hasp.storage.TestClock;
import io.hasp.storage.TestJson;
import io.hasp.storage.Versioned;
import io.hasp.token.AdminToken;
import io.hasp.token.CreateTokenRequest;
import io.hasp.token.CreatedToken;
import io.hasp.token.Scope;
import io.hasp.token.TokenManager;
import io.hasp.token.TokenRepository;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The record store contract on a real 3-member etcd cluster: replicas are stores with writers of their own, on one
 * namespace per test; and what only etcd promises: versions above a deleted record's whatever the clocks, one
 * transaction per batch, watches, sealed credentials, changes too large for one transaction.
 */
@ExtendWith(EtcdRequired.class)
class EtcdRecordStoreContractTest extends AbstractRecordStoreContractTest {

    static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

    private static EtcdCluster cluster;
    private static EtcdClients clients;
    private final List<EtcdRecordStores> replicas = new ArrayList<>();
    private String namespace;

    @BeforeAll
    static void startEtcd() throws Exception {
        cluster = EtcdCluster.start("store-contract", 3);
        clients = new EtcdClients(cluster);
    }

    @AfterAll
    static void stopEtcd() {
        if (clients != null) {
            clients.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    @BeforeEach
    void freshNamespace() {
        namespace = "/contract-" + UUID.randomUUID() + "/";
        replicas.forEach(EtcdRecordStores::close);
        replicas.clear();
    }

    private EtcdRecordStores stores(int n, int maxTxnOps) {
        while (replicas.size() <= n) {
            replicas.add(new EtcdRecordStores(clients.client(), TestJson.mapper(), new EtcdStoreSettings(namespace,
                    maxTxnOps, 1_572_864, Duration.ofSeconds(30), Duration.ofSeconds(12), TestConfig.records()),
                    Sealer.of(Optional.of(KEY))));
        }
        return replicas.get(n);
    }

    @Override
    protected <T extends Versioned<T>> RecordStore<T> replica(int n, RecordKind<T> kind, Clock clock) {
        return stores(n, 128).open(kind, clock);
    }

    private long revision() {
        return clients.client().range(RangeRequest.newBuilder().setKey(ByteString.copyFromUtf8(namespace))
                .setCountOnly(true).build()).await().atMost(WAIT).getHeader().getRevision();
    }

    private static Uni<Counter> add(RecordStore<Counter> store, String id, long delta) {
        return store.change(id, OptionalLong.empty(), 0, current -> Modification.write(
                new Counter(id, 0, current.map(Counter::value).orElse(0L) + delta), stored -> stored));
    }

    @Test
    void aReplicaWhoseClockIsAnHourBehindStillCreatesAboveEveryVersionOfTheDeletedRecord() {
        Instant now = Instant.now();
        RecordStore<Counter> a = replica(0, COUNTERS, new TestClock(now));
        RecordStore<Counter> late = replica(1, COUNTERS, new TestClock(now.minus(Duration.ofHours(1))));
        long last = 0;
        for (int i = 0; i < 5; i++) {
            last = add(a, "c", 1).await().atMost(WAIT).version();
        }
        a.change("c", OptionalLong.empty(), 0, c -> Modification.<Counter, Boolean>delete(x -> true))
                .await().atMost(WAIT);

        Counter again = add(late, "c", 1).await().atMost(WAIT);

        assertEquals(last + 1, again.version(), "above the tombstone, though the clock says an hour earlier");
    }

    @Test
    void concurrentChangesOfOneRecordShareTransactions() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        add(a, "c", 0).await().atMost(WAIT);
        long before = revision();
        List<Supplier<Uni<Counter>>> changes = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            changes.add(() -> add(a, "c", 1));
        }
        ConcurrencyHelpers.runConcurrent(changes).await().atMost(WAIT);
        long transactions = revision() - before;

        assertEquals(100, a.get("c").await().atMost(WAIT).orElseThrow().value());
        assertTrue(transactions < 100, "100 changes took " + transactions + " transactions");
        System.out.printf("[figures] etcd store: 100 concurrent changes of one record in %d transactions%n",
                transactions);
    }

    /**
     * Three replicas, four callers each, change one record until 360 changes are made: each replica makes at least
     * 15 % of them (one replica kept winning before the waiting keys), none is lost, and no waiting key is left.
     */
    @Test
    void replicasChangingOneRecordTakeTurnsAndLeaveNoWaitingKeyBehind() {
        List<RecordStore<Counter>> stores = List.of(replica(0, COUNTERS), replica(1, COUNTERS), replica(2, COUNTERS));
        add(stores.get(0), "turns", 0).await().atMost(WAIT);
        AtomicInteger total = new AtomicInteger();
        AtomicIntegerArray made = new AtomicIntegerArray(3);
        List<Supplier<Uni<Integer>>> callers = new ArrayList<>();
        for (int c = 0; c < 12; c++) {
            int r = c % 3;
            callers.add(() -> Multi.createBy().repeating()
                    .uni(() -> add(stores.get(r), "turns", 1).invoke(x -> made.incrementAndGet(r)))
                    .whilst(x -> total.incrementAndGet() < 360).collect().asList().map(List::size));
        }
        ConcurrencyHelpers.runConcurrent(callers).await().atMost(WAIT);

        int sum = made.get(0) + made.get(1) + made.get(2);
        System.out.printf("[figures] etcd store: 3 replicas x 4 callers on one record: changes per replica %s%n", made);
        assertEquals(sum, stores.get(1).get("turns").await().atMost(WAIT).orElseThrow().value(), "none lost");
        for (int r = 0; r < 3; r++) {
            assertTrue(made.get(r) * 100 >= 15 * sum, "replica " + r + " made " + made + " of the changes");
        }
        ByteString waiting = ByteString.copyFromUtf8(namespace + "waiting/");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> clients.client().range(RangeRequest.newBuilder()
                .setKey(waiting).setRangeEnd(RecordKeys.rangeEnd(waiting)).setCountOnly(true).build())
                .await().atMost(WAIT).getCount() == 0);
    }

    @Test
    void theWatchTellsOfAChangeByAnotherReplica() {
        RecordStore<Counter> a = replica(0, COUNTERS);
        RecordStore<Counter> b = replica(1, COUNTERS);
        AtomicInteger told = new AtomicInteger();
        assertTrue(a.watch("w", told::incrementAndGet, () -> { }));
        Awaitility.await().atMost(WAIT).until(() -> told.get() >= 1);
        int created = told.get();
        add(b, "w", 1).await().atMost(WAIT);
        Awaitility.await().atMost(Duration.ofSeconds(1)).until(() -> told.get() > created);
    }

    /** Every kind's store of {@code stores} (one replica), for repositories. */
    private static RecordStores every(EtcdRecordStores stores) {
        return new RecordStores() {
            @Override
            public <T extends Versioned<T>> RecordStore<T> open(RecordKind<T> kind) {
                return stores.open(kind, Clock.systemUTC());
            }
        };
    }

    /** Every key of the cluster, whatever its namespace: what {@code etcdctl get --prefix ''} shows. */
    private List<KeyValue> dumpEverything() {
        return clients.client().range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(new byte[] {0}))
                .setRangeEnd(ByteString.copyFrom(new byte[] {0})).build()).await().atMost(WAIT).getKvsList();
    }

    @Test
    void noCredentialValueNorTokenSecretAppearsInADumpOfEtcd() {
        CredentialRepository credentials = new CredentialRepository(replica(0), Clock.systemUTC(),
                TestConfig.defaults());
        credentials.put("registry", new CredentialRequest("s3cr3t-value-in-clear", "the registry"))
                .await().atMost(WAIT);
        TokenRepository tokens = new TokenRepository(replica(0), Clock.systemUTC());
        String secret = tokens.create(new CreateTokenRequest("dumped", List.of(Scope.READ), null)).await()
                .atMost(WAIT).token();
        assertTrue(new TokenManager(tokens, AdminToken.of("dump-admin-token-0123456789"), Clock.systemUTC())
                .authenticate(secret).await().atMost(WAIT).isPresent());

        List<KeyValue> all = dumpEverything();
        assertTrue(all.stream().anyMatch(kv -> kv.getKey().toStringUtf8().startsWith(namespace + "tokens")),
                "the dump holds the token's keys");
        assertTrue(all.stream().anyMatch(kv -> kv.getKey().toStringUtf8().startsWith(namespace + "credentials")),
                "the dump holds the credential's keys");
        String secretTail = secret.substring(secret.length() - 16);
        for (KeyValue kv : all) {
            String key = kv.getKey().toStringUtf8();
            String value = kv.getValue().toString(StandardCharsets.ISO_8859_1);
            String base64 = Base64.getEncoder().encodeToString(kv.getValue().toByteArray());
            assertFalse(value.contains("s3cr3t") || key.contains("s3cr3t"), "credential value in clear at " + key);
            assertFalse(value.contains(secretTail) || key.contains(secretTail) || base64.contains(secretTail),
                    "token secret at " + key);
        }
        assertEquals("s3cr3t-value-in-clear", credentials.exportAll().await().atMost(WAIT).get(0).value());
        EtcdRecordStores otherKey = new EtcdRecordStores(clients.client(), TestJson.mapper(),
                new EtcdStoreSettings(namespace, 128, 1_572_864, Duration.ofSeconds(30), Duration.ofSeconds(12),
                        TestConfig.records()),
                Sealer.of(Optional.of(Base64.getEncoder().encodeToString("another key of thirty-two bytes!"
                        .getBytes(StandardCharsets.US_ASCII)))));
        CredentialRepository wrongKey = new CredentialRepository(every(otherKey), Clock.systemUTC(),
                TestConfig.defaults());
        assertThrows(io.hasp.storage.CorruptRecordException.class,
                () -> wrongKey.exportAll().await().atMost(WAIT));
        otherKey.close();
    }

    @Test
    void aTokenMadeOnOneReplicaWorksOnAnotherAndItsRevocationIsSeenThereWithinASecond() {
        AdminToken admin = AdminToken.of("revocation-admin-token-0123456789");
        TokenRepository a = new TokenRepository(replica(0), Clock.systemUTC());
        // b's time stands still: its snapshot never ages, so only the watch can make it read the tokens again
        TokenManager b = new TokenManager(new TokenRepository(replica(1), Clock.systemUTC()),
                admin, Clock.systemUTC(), () -> 0L);
        CreatedToken made = a.create(new CreateTokenRequest("shared", List.of(Scope.READ), null)).await()
                .atMost(WAIT);
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(20))
                .until(() -> b.authenticate(made.token()).await().atMost(WAIT).isPresent());
        assertTrue(b.authenticate(made.token()).await().atMost(WAIT).isPresent());

        a.revoke(made.id()).await().atMost(WAIT);
        long revoked = System.nanoTime();
        Awaitility.await().atMost(Duration.ofSeconds(1)).pollInterval(Duration.ofMillis(10))
                .until(() -> b.authenticate(made.token()).await().atMost(WAIT).isEmpty());
        System.out.printf("[figures] etcd store: a revocation on one replica seen by another after %d ms%n",
                (System.nanoTime() - revoked) / 1_000_000);
    }

    @Test
    void withoutAKeyEtcdModeRefusesAndSaysHowToMakeOne() {
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> Sealer.of(Optional.empty()));
        assertTrue(missing.getMessage().contains("openssl rand -base64 32"), missing.getMessage());
        assertTrue(missing.getMessage().contains("HASP_CREDENTIALS_KEY"), missing.getMessage());
        IllegalStateException shortKey = assertThrows(IllegalStateException.class,
                () -> Sealer.of(Optional.of(Base64.getEncoder().encodeToString(new byte[7]))));
        assertTrue(shortKey.getMessage().contains("openssl rand -base64 32"), shortKey.getMessage());
    }

    @Test
    void aChangeTooLargeForOneTransactionFailsAloneAndWritesNothing() {
        QueueRepository queues = new QueueRepository(every(stores(0, 16)), TestJson.mapper(), Clock.systemUTC(),
                TestConfig.defaults());
        queues.create("q", "Q").await().atMost(WAIT);
        List<Supplier<Uni<Command>>> appends = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String id = "c" + i;
            appends.add(() -> queues.addCommand("q", new NewCommandRequest(id, "x", null), OptionalLong.empty()));
        }
        ConcurrencyHelpers.runConcurrent(appends).await().atMost(WAIT).forEach(o -> assertEquals(null, o.error()));
        assertEquals(30, queues.get("q").await().atMost(WAIT).orElseThrow().commands().size(),
                "batches larger than a transaction were split");

        RecordStore<Counter> counters = stores(0, 16).open(COUNTERS, Clock.systemUTC());
        String big = "x".repeat(2_000_000);
        LimitExceededException e = assertThrows(LimitExceededException.class, () -> counters.change("big",
                OptionalLong.empty(), 0, c -> Modification.write(new Counter(big, 0, 1), s -> s))
                .await().atMost(WAIT));
        assertEquals("hasp.etcd.max-request-bytes", e.setting());
        assertEquals(Optional.empty(), counters.get("big").await().atMost(WAIT));
    }
}
