package io.hasp.it;

import static org.hamcrest.Matchers.is;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;

import io.hasp.etcd.EtcdCluster;

/**
 * An import killed with SIGKILL in the middle of its writes comes out as nothing: a packaged instance gets an import
 * (mode {@code replace}) of 40 bookmarks that exist already, with new titles, and 4,000 new ones; once some of the new
 * ones are stored it is killed, then started again on the same data directory. Within the recovery bound (3 s here)
 * plus a few sweeps no bookmark of the import remains (nor its intent), the 40 that existed before have their own
 * titles again, and a record written by a client after the restart is untouched. The same on a 3-member etcd cluster
 * (the data directory then holds no record).
 */
@Timeout(value = 240)
class ImportCrashIT {

    private static final int EXISTING = 40;
    private static final int NEW = 4_000;
    private static final Map<String, String> SETTINGS = Map.of("hasp.import.stale-after", "3s",
            "hasp.http.max-body-bytes", "16777216");

    /** 32 bytes in base64: the credentials key of the etcd case. */
    private static final String KEY = "aXQta2V5LW9mLXRoaXJ0eS10d28tYnl0ZXMtISEhISE=";
    private static final Pattern COUNT = Pattern.compile("\"Count\"\\s*:\\s*(\\d+)");

    @TempDir
    Path data;

    private static String line(String id, String title) {
        return "{\"kind\":\"bookmark\",\"id\":\"" + id + "\",\"record\":{\"id\":\"" + id + "\",\"title\":\"" + title
                + "\",\"target\":\"https://example.org/" + id + "\",\"tags\":[\"imported\"],"
                + "\"version\":1788000000000001,\"createdAt\":\"2026-01-31T10:00:00Z\","
                + "\"updatedAt\":\"2026-01-31T10:00:00Z\"}}\n";
    }

    private long stored(String prefix) throws IOException {
        Path dir = data.resolve("bookmarks");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith(prefix)
                    && f.getFileName().toString().endsWith(".json")).count();
        }
    }

    private long intents() throws IOException {
        Path dir = data.resolve("imports");
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".json")).count();
        }
    }

    /** How a test counts what is stored, whatever the backend. */
    private interface Stored {
        /** Bookmarks whose id starts with {@code prefix}. */
        long bookmarks(String prefix) throws Exception;

        /** Import intents. */
        long intents() throws Exception;
    }

    @Test
    void anImportKilledMidwayIsRolledBackAfterTheRestart() throws Exception {
        killMidwayThenRestart("import-crash", SETTINGS, new Stored() {
            @Override
            public long bookmarks(String prefix) throws IOException {
                return stored(prefix);
            }

            @Override
            public long intents() throws IOException {
                return ImportCrashIT.this.intents();
            }
        });
    }

    @Test
    void onEtcdAnImportKilledMidwayIsRolledBackAfterTheRestart() throws Exception {
        EtcdCluster.requireInstalled();
        try (EtcdCluster etcd = EtcdCluster.start("import-crash-it", 3)) {
            String namespace = "/import-crash-" + UUID.randomUUID() + "/";
            Map<String, String> settings = new HashMap<>(SETTINGS);
            settings.putAll(Map.of("hasp.backend", "etcd", "hasp.etcd.endpoints", etcd.endpoints(),
                    "hasp.etcd.namespace", namespace, "hasp.credentials.key", KEY));
            killMidwayThenRestart("import-crash-etcd", settings, new Stored() {
                @Override
                public long bookmarks(String prefix) throws Exception {
                    return keys(etcd, namespace + "bookmarks/" + prefix);
                }

                @Override
                public long intents() throws Exception {
                    return keys(etcd, namespace + "imports/");
                }
            });
            assertEquals(0, stored(""), "nothing of the records on the data directory");
        }
    }

    /** How many keys start with {@code prefix}, as etcdctl counts them. */
    private static long keys(EtcdCluster etcd, String prefix) throws Exception {
        Process p = new ProcessBuilder("etcdctl", "--endpoints=" + etcd.endpoints(), "get", "--prefix", prefix,
                "--keys-only", "--limit=1", "--write-out=fields").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("etcdctl failed: " + out);
        }
        Matcher m = COUNT.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("no count in " + out);
        }
        return Long.parseLong(m.group(1));
    }

    private void killMidwayThenRestart(String label, Map<String, String> settings, Stored stored) throws Exception {
        StringBuilder body = new StringBuilder();
        try (HaspProcess first = HaspProcess.start(label + "-1", data, settings)) {
            for (int i = 0; i < EXISTING; i++) {
                String id = String.format("old-%03d", i);
                first.call(201, "POST", "/v1/bookmarks", Map.of("id", id, "title", "own " + id,
                        "target", "https://example.org/own/" + id, "tags", List.of()));
                body.append(line(id, "imported " + id));
            }
            for (int i = 0; i < NEW; i++) {
                body.append(line(String.format("imp-%05d", i), "new " + i));
            }
            first.sendRawAsync("POST", "/v1/admin/import?mode=replace", "application/x-ndjson", body.toString());
            Awaitility.await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20))
                    .until(() -> stored.bookmarks("imp-") >= 100);
            first.kill9();
        }
        long newAtKill = stored.bookmarks("imp-");
        System.out.printf("%s: killed with %d of %d new bookmarks stored, %d intent(s)%n", label, newAtKill, NEW,
                stored.intents());
        assertTrue(newAtKill > 0 && newAtKill < NEW, "killed midway: " + newAtKill);
        assertTrue(stored.intents() > 0, "the dead import left its intent");

        try (HaspProcess second = HaspProcess.start(label + "-2", data, settings)) {
            second.call(201, "POST", "/v1/bookmarks", Map.of("id", "after-restart", "title", "mine",
                    "target", "https://example.org/mine", "tags", List.of()));
            long start = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> stored.bookmarks("imp-") + stored.intents(), is(0L));
            System.out.printf("%s: rolled back %.1f s after the restart; %d new bookmark(s) left%n", label,
                    (System.nanoTime() - start) / 1e9, stored.bookmarks("imp-"));
            for (int i = 0; i < EXISTING; i++) {
                String id = String.format("old-%03d", i);
                JsonNode b = second.call(200, "GET", "/v1/bookmarks/" + id, null);
                assertEquals("own " + id, b.path("title").asText(), id + " is as it was before the import");
            }
            assertEquals("mine", second.call(200, "GET", "/v1/bookmarks/after-restart", null).path("title").asText());
            assertEquals(EXISTING + 1, stored.bookmarks(""), "the bookmarks from before and the one made after");
        }
    }
}
