package io.hasp.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.hasp.HaspConfig;
import io.hasp.TestConfig;
import io.hasp.lock.LockFileEngine;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.DataDirectory;
import io.hasp.storage.TestJson;

/**
 * The bootstrap admin token file: generated durably with mode 0600 when absent, and also when a power cut or a tool
 * left it empty or unreadable (the service starts anyway). Only the file's location is logged, never the token.
 */
class AdminTokenTest {

    @TempDir
    Path data;

    private final LockFileEngine engine = new LockFileEngine(TestConfig.lockEngine());
    private final List<String> logged = new ArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (logged) {
                logged.add(record.getMessage() + " " + List.of(record.getParameters() == null ? new Object[0]
                        : record.getParameters()));
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLogs() {
        capture.setLevel(Level.ALL);
        Logger.getLogger("").addHandler(capture);
    }

    @AfterEach
    void close() {
        Logger.getLogger("").removeHandler(capture);
        engine.close();
    }

    private AdminToken start() {
        HaspConfig config = mock(HaspConfig.class);
        HaspConfig.Lock lock = mock(HaspConfig.Lock.class);
        when(config.adminToken()).thenReturn(Optional.empty());
        when(config.lock()).thenReturn(lock);
        when(lock.timeout()).thenReturn(Duration.ofSeconds(10));
        when(lock.retryInterval()).thenReturn(Duration.ofMillis(10));
        when(lock.maxRetries()).thenReturn(10_000);
        AdminToken admin = new AdminToken(config, new DataDirectory(data), engine, new AtomicWriter(TestJson.mapper()));
        admin.init();
        return admin;
    }

    private String stored() throws IOException {
        return Files.readString(data.resolve("admin.token"), StandardCharsets.UTF_8).trim();
    }

    private void assertGeneratedAndSecret(AdminToken admin) throws IOException {
        String token = stored();
        assertTrue(token.startsWith("hasp_admin_"), token);
        assertTrue(admin.matches(token));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(data.resolve("admin.token"))));
        synchronized (logged) {
            assertTrue(logged.stream().anyMatch(l -> l.contains(data.resolve("admin.token").toAbsolutePath()
                    .toString())), "the location is logged: " + logged);
            assertFalse(logged.stream().anyMatch(l -> l.contains(token)), "the token is never logged");
        }
        try (var files = Files.list(data)) {
            assertEquals(List.of(), files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith(".admin.token.tmp.")).toList(), "no temp file left");
        }
    }

    @Test
    void anAbsentFileIsGeneratedWithMode0600() throws IOException {
        assertGeneratedAndSecret(start());
    }

    @Test
    void anEmptyFileLeftByAPowerCutIsReplacedAndTheServiceStarts() throws IOException {
        Files.writeString(data.resolve("admin.token"), "");

        assertGeneratedAndSecret(start());
    }

    @Test
    void anUnreadableFileIsReplaced() throws IOException {
        // what a file whose blocks were never written looks like after a power cut, and bytes that are no UTF-8
        for (byte[] garbage : List.of(new byte[64], new byte[] {(byte) 0xff, (byte) 0xfe, 'x'})) {
            Files.write(data.resolve("admin.token"), garbage);

            assertGeneratedAndSecret(start());
        }
    }

    @Test
    void aValidFileIsKept() throws IOException {
        Files.writeString(data.resolve("admin.token"), "operator-chosen-token-0123456789\n");

        AdminToken admin = start();

        assertTrue(admin.matches("operator-chosen-token-0123456789"));
        assertEquals("operator-chosen-token-0123456789", stored());
    }

    @Test
    void replicasStartingTogetherOnAnEmptyFileAgreeOnOneToken() throws Exception {
        Files.writeString(data.resolve("admin.token"), "");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<AdminToken>> starts = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                starts.add(pool.submit(this::start));
            }
            String token = null;
            for (Future<AdminToken> f : starts) {
                AdminToken admin = f.get();
                token = token == null ? stored() : token;
                assertTrue(admin.matches(token), "every replica knows the token in the file");
            }
            assertEquals(token, stored());
        } finally {
            pool.shutdownNow();
        }
    }
}
