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

import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockEngineSettings;
import io.hasp.lock.LockFileEngine;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.TestJson;
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

    private TokenManager manager() {
        if (engine == null) {
            engine = new LockFileEngine(LockEngineSettings.defaults().withRetryCap(Duration.ofMillis(20)));
        }
        return new TokenManager(engine, new AtomicWriter(TestJson.mapper()), TestJson.mapper(), Clock.systemUTC(),
                data, LockOptions.defaults().withMaxRetries(10_000), AdminToken.of("the-admin-token-123456"),
                nanos::get);
    }

    private static CreateTokenRequest request(String name) {
        return new CreateTokenRequest(name, List.of(Scope.WRITE, Scope.READ), null);
    }

    @Test
    void theSecretIsNeverStoredAndAuthenticatesWithItsScopes() throws Exception {
        TokenManager tokens = manager();

        CreatedToken created = tokens.create(request("ci")).await().atMost(WAIT);

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
        TokenManager here = manager();
        TokenManager otherReplica = manager();
        CreatedToken created = here.create(request("ci")).await().atMost(WAIT);
        assertTrue(here.authenticate(created.token()).await().atMost(WAIT).isPresent());

        otherReplica.revoke(created.id()).await().atMost(WAIT);

        assertTrue(here.authenticate(created.token()).await().atMost(WAIT).isPresent(),
                "within the recheck interval the cached snapshot answers, without I/O");
        nanos.addAndGet(TokenManager.RECHECK.toNanos());
        assertTrue(here.authenticate(created.token()).await().atMost(WAIT).isEmpty(),
                "after the interval the changed file is re-read");
    }

    @Test
    void concurrentCreatesLoseNoToken() {
        TokenManager tokens = manager();
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
