package io.hasp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;
import io.hasp.storage.FileStores;
import io.smallrye.mutiny.Uni;

class TokenManagerTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final AtomicLong nanos = new AtomicLong(1_000_000_000L);
    private LockFileEngine engine;

    @AfterEach
    void close() {
        if (engine != null) {
            engine.close();
        }
    }

    /** One replica's token repository and the authentication cache it feeds. */
    private record Replica(TokenRepository tokens, TokenManager auth) {
    }

    private Replica replica() {
        if (engine == null) {
            engine = new LockFileEngine(TestConfig.lockEngine().withRetryCap(Duration.ofMillis(20)));
        }
        TokenRepository tokens = new TokenRepository(new FileStores(engine, data)
                .withLockOptions(LockOptions.defaults().withMaxRetries(10_000)), Clock.systemUTC());
        return new Replica(tokens,
                new TokenManager(tokens, AdminToken.of("the-admin-token-123456"), Clock.systemUTC(), nanos::get));
    }

    private static CreateTokenRequest request(String name) {
        return new CreateTokenRequest(name, List.of(Scope.WRITE, Scope.READ), null);
    }

    @Test
    void theSecretIsNeverStoredAndAuthenticatesWithItsScopes() throws Exception {
        Replica replica = replica();
        TokenManager tokens = replica.auth();

        CreatedToken created = replica.tokens().create(request("ci")).await().atMost(WAIT);

        String secret = created.token().substring(created.token().lastIndexOf('_') + 1);
        assertFalse(Files.readString(data.resolve("tokens.json")).contains(secret));
        assertFalse(created.toString().contains(secret), "toString hides the secret");
        Principal who = tokens.authenticate(created.token()).await().atMost(WAIT).orElseThrow();
        assertEquals(Set.of(Scope.READ, Scope.WRITE), who.scopes());
        assertTrue(tokens.authenticate(created.token() + "x").await().atMost(WAIT).isEmpty());
        assertTrue(tokens.authenticate("hasp_" + created.id() + "_wrong").await().atMost(WAIT).isEmpty());
        assertTrue(tokens.authenticate("the-admin-token-123456").await().atMost(WAIT).orElseThrow()
                .may(Scope.ADMIN));
    }

    @Test
    void aRevocationByAnotherReplicaIsSeenAfterTheRecheckInterval() {
        Replica here = replica();
        Replica otherReplica = replica();
        CreatedToken created = here.tokens().create(request("ci")).await().atMost(WAIT);
        assertTrue(here.auth().authenticate(created.token()).await().atMost(WAIT).isPresent());

        otherReplica.tokens().revoke(created.id()).await().atMost(WAIT);

        assertTrue(here.auth().authenticate(created.token()).await().atMost(WAIT).isPresent(),
                "within the recheck interval the cached snapshot answers, without I/O");
        nanos.addAndGet(TokenManager.RECHECK.toNanos());
        assertTrue(here.auth().authenticate(created.token()).await().atMost(WAIT).isEmpty(),
                "after the interval the changed file is re-read");
    }

    @Test
    void aRevocationThroughThisReplicasRepositoryIsRefusedAtOnce() {
        Replica replica = replica();
        CreatedToken created = replica.tokens().create(request("ci")).await().atMost(WAIT);
        assertTrue(replica.auth().authenticate(created.token()).await().atMost(WAIT).isPresent());

        replica.tokens().revoke(created.id()).await().atMost(WAIT);

        // the monotonic time stands still: only the repository telling the cache can make it read the tokens again
        assertTrue(replica.auth().authenticate(created.token()).await().atMost(WAIT).isEmpty(),
                "the revocation is seen by the next request, not after the recheck interval");
    }

    @Test
    void concurrentCreatesLoseNoToken() {
        TokenRepository tokens = replica().tokens();
        List<Supplier<Uni<CreatedToken>>> creates = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String name = "t" + i;
            creates.add(() -> tokens.create(request(name)));
        }

        List<ConcurrencyHelpers.Outcome<CreatedToken>> outcomes =
                ConcurrencyHelpers.runConcurrent(creates).await().atMost(Duration.ofSeconds(60));

        Set<String> ids = new HashSet<>();
        outcomes.forEach(o -> ids.add(o.result().id()));
        assertEquals(32, ids.size());
        assertEquals(32, tokens.list().await().atMost(WAIT).size());
    }
}
