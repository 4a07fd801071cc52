package io.hasp.lock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FenceFilesTest {

    @TempDir
    Path dir;

    /**
     * Two users of one fence file in this JVM (a resource's queue and a lease release, say) when another process
     * removes it (tombstone, then unlink, as {@link FenceFiles#removeIfIdle} does there). The first to see the tombstone
     * reopens the new file; the other must be told the same way (its guard answers GONE). The old file used to be
     * closed under it by the reopening: its next guard failed with ClosedChannelException and its request with an
     * error (seen as a named lock answered 503 by NoHangIT).
     */
    @Test
    void aFenceFileRemovedByAnotherProcessStaysOpenUntilItsLastUserHasSeenTheTombstone() throws Exception {
        Path resource = dir.resolve("r.json");
        FenceFile first = FenceFiles.take(resource, true);
        FenceFile second = FenceFiles.take(resource, true);
        assertSame(first, second, "one open file per path in a JVM");
        removeAsAnotherProcessWould(LockPaths.fence(resource));

        assertSame(FenceFile.Guard.GONE, first.guard(), "the first user sees the tombstone");
        FenceFile reopened = FenceFiles.take(resource, true);
        assertNotSame(first, reopened);
        FenceFiles.put(first);

        assertSame(FenceFile.Guard.GONE, second.guard(), "the other user is told the same way, not failed");
        assertTrue(second.channel.isOpen());
        FenceFiles.put(second);
        assertFalse(second.channel.isOpen(), "the last user's give-back closes the removed file");

        try (FenceFile.Guard guard = reopened.guard()) {
            assertTrue(guard != null && guard != FenceFile.Guard.GONE, "the new file works");
        }
        FenceFiles.put(reopened);
    }

    /** What another process' removal leaves: the state word {@code gone} at its offset, then no file at the path. */
    private static void removeAsAnotherProcessWould(Path fence) throws Exception {
        byte[] field = String.format("%20s%n", "gone").getBytes(StandardCharsets.US_ASCII);
        try (FileChannel ch = FileChannel.open(fence, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(field), 42);
        }
        Files.delete(fence);
    }
}
