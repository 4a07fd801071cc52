package io.hasp.credential;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.TestConfig;
import io.hasp.lock.ConcurrencyHelpers;
import io.hasp.lock.LockFileEngine;
import io.hasp.storage.Engines;
import io.hasp.storage.FileStores;
import io.smallrye.mutiny.Uni;

class CredentialRepositoryTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private final LockFileEngine engine = Engines.engine();
    private CredentialRepository credentials;

    @BeforeEach
    void setUp() {
        credentials = new CredentialRepository(new FileStores(engine, data), Clock.systemUTC(),
                TestConfig.defaults());
    }

    @AfterEach
    void close() {
        engine.close();
    }

    @Test
    void theFileIsOwnerOnlyAndListingsCarryNoValues() throws Exception {
        assertTrue(credentials.put("db", new CredentialRequest("s3cr3t-value", "database")).await().atMost(WAIT));
        assertFalse(credentials.put("db", new CredentialRequest("other-value", null)).await().atMost(WAIT));

        Path file = data.resolve("credentials.json");
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals(List.of("db"), credentials.list().await().atMost(WAIT).stream().map(CredentialInfo::name)
                .toList());
        assertFalse(credentials.list().await().atMost(WAIT).toString().contains("other-value"));
        assertEquals("other-value", credentials.exportAll().await().atMost(WAIT).get(0).value());
        assertFalse(new CredentialRequest("s3cr3t-value", null).toString().contains("s3cr3t"));
    }

    @Test
    void importMergesOrReplacesAndAnInvalidEntryImportsNothing() {
        credentials.put("keep", new CredentialRequest("k", null)).await().atMost(WAIT);

        assertEquals(2, credentials.importAll(new ImportRequest(List.of(new CredentialEntry("a", "1", null),
                new CredentialEntry("b", "2", null)), ImportMode.MERGE)).await().atMost(WAIT));
        assertEquals(List.of("keep", "a", "b"), names());

        assertThrows(IllegalArgumentException.class, () -> new ImportRequest(List.of(
                new CredentialEntry("c", "3", null), new CredentialEntry("c", "4", null)), ImportMode.REPLACE));
        assertEquals(List.of("keep", "a", "b"), names(), "a refused import changes nothing");

        credentials.importAll(new ImportRequest(List.of(new CredentialEntry("only", "x", null)),
                ImportMode.REPLACE)).await().atMost(WAIT);
        assertEquals(List.of("only"), names());
    }

    @Test
    void concurrentPutsLoseNoCredential() {
        List<Supplier<Uni<Boolean>>> puts = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String name = "c" + i;
            puts.add(() -> credentials.put(name, new CredentialRequest("v", null)));
        }

        List<ConcurrencyHelpers.Outcome<Boolean>> outcomes =
                ConcurrencyHelpers.runConcurrent(puts).await().atMost(Duration.ofSeconds(60));

        assertTrue(outcomes.stream().allMatch(o -> Boolean.TRUE.equals(o.result())));
        assertEquals(32, names().size());
    }

    private List<String> names() {
        return credentials.list().await().atMost(WAIT).stream().map(CredentialInfo::name).toList();
    }
}
