package io.hasp.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;

class AtomicWriterTest {

    @TempDir
    Path dir;

    private final ObjectMapper mapper = TestJson.mapper();
    private AtomicWriter writer;
    private Path target;

    @BeforeEach
    void setUp() {
        writer = new AtomicWriter(mapper);
        target = dir.resolve("record.json");
    }

    @Test
    void writeCreatesTheFileWithExactContent() throws IOException {
        writer.write(target, "hello");

        assertEquals("hello", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void writeReplacesOldContentAndLeavesNoTempFile() throws IOException {
        writer.write(target, "old content that is longer than the new one");
        writer.write(target, "new");

        assertEquals("new", Files.readString(target));
        assertEquals(List.of(target), listDir());
    }

    @Test
    void writeJsonIsPrettyPrintedAndReadsBack() throws IOException {
        writer.writeJson(target, Map.of("id", "q1", "version", 3));

        String text = Files.readString(target);
        assertTrue(text.contains("\n"), "pretty-printed JSON spans several lines");
        assertEquals(Map.of("id", "q1", "version", 3), mapper.readValue(text, Map.class));
    }

    @Test
    void serializerThrowingMidwayLeavesOldContentAndNoTempFile() throws IOException {
        writer.write(target, "old");

        Exploding half = new Exploding("x".repeat(200_000));
        RuntimeException failure = assertThrows(RuntimeException.class, () -> writer.writeJson(target, half));

        assertTrue(half.firstPartWritten.get(), "the serializer got past the first member before failing");
        assertFalse(failure instanceof IllegalStateException && failure.getMessage() == null);
        assertEquals("old", Files.readString(target));
        assertEquals(List.of(target), listDir(), "the temp file is removed");
    }

    @Test
    void missingTargetDirectoryFailsWithoutCreatingAnything() {
        Path gone = dir.resolve("vanished");
        Path inGone = gone.resolve("record.json");

        StorageException failure = assertThrows(StorageException.class, () -> writer.write(inGone, "x"));

        assertFalse(Files.exists(gone));
        assertFalse(failure.getMessage().contains(dir.toString()), "no server path in the message");
    }

    @Test
    void directoryRemovedAfterAnEarlierWriteFailsCleanly() throws IOException {
        Path sub = Files.createDirectory(dir.resolve("sub"));
        Path file = sub.resolve("record.json");
        writer.write(file, "v1");
        Files.delete(file);
        Files.delete(sub);

        assertThrows(StorageException.class, () -> writer.write(file, "v2"));
        assertFalse(Files.exists(sub));
    }

    @Test
    void failedRenameRemovesTheTempFileAndKeepsTheTarget() throws IOException {
        // A non-empty directory cannot be replaced by a rename: the move fails after the temp file is complete.
        Path blocker = Files.createDirectory(dir.resolve("blocked.json"));
        Files.writeString(blocker.resolve("inside"), "keep");

        assertThrows(StorageException.class, () -> writer.write(blocker, "x"));

        assertTrue(Files.isDirectory(blocker));
        assertEquals("keep", Files.readString(blocker.resolve("inside")));
        assertEquals(List.of(blocker), listDir());
    }

    @Test
    void ownerOnlyPermissionsAreExactlyOwnerReadWrite() throws IOException {
        writer.writeJson(target, Map.of("secret", "s3cr3t"), AtomicWriter.OWNER_ONLY);

        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        writer.writeJson(target, Map.of("secret", "other"), AtomicWriter.OWNER_ONLY);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
    }

    @Test
    void concurrentWritersNeverProduceATornFile() throws Exception {
        int writers = 8;
        int writesEach = 25;
        int size = 64 * 1024;
        writer.write(target, "a".repeat(size));
        AtomicBoolean done = new AtomicBoolean();
        AtomicInteger reads = new AtomicInteger();
        List<String> torn = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
        CountDownLatch start = new CountDownLatch(1);
        try {
            Future<?> reader = pool.submit(() -> {
                while (!done.get()) {
                    String content = readQuietly(target);
                    reads.incrementAndGet();
                    if (content.length() != size || content.chars().distinct().count() != 1) {
                        synchronized (torn) {
                            torn.add("length " + content.length());
                        }
                    }
                }
                return null;
            });
            List<Future<?>> futures = new ArrayList<>();
            for (int w = 0; w < writers; w++) {
                char letter = (char) ('b' + w);
                futures.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < writesEach; i++) {
                        writer.write(target, String.valueOf(letter).repeat(size));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
            done.set(true);
            reader.get(10, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }

        assertEquals(List.of(), torn, "every read saw one whole version");
        assertTrue(reads.get() > 0);
        String last = Files.readString(target);
        assertEquals(size, last.length());
        assertTrue(last.charAt(0) >= 'b' && last.charAt(0) < 'b' + writers, "the last rename wins");
        assertEquals(List.of(target), listDir(), "no temp file left");
    }

    private static String readQuietly(Path file) {
        try {
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("a reader must always find the file", e);
        }
    }

    private List<Path> listDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.sorted().toList();
        }
    }

    /** Serialises its big first member, then fails: the temp file holds half a record when the writer gives up. */
    @JsonPropertyOrder({"first", "second"})
    static final class Exploding {
        final AtomicBoolean firstPartWritten = new AtomicBoolean();
        private final String first;

        Exploding(String first) {
            this.first = first;
        }

        public String getFirst() {
            firstPartWritten.set(true);
            return first;
        }

        public String getSecond() {
            throw new IllegalStateException("serializer fails midway");
        }
    }
}
