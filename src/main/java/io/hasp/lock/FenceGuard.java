package io.hasp.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The short critical section around every change of a lock file, and the fencing counter of its resource.
 *
 * <p>Each resource {@code F} has a sidecar {@code .F.fence} ({@link InternalFiles#fenceFor}): an ASCII decimal, the
 * last fencing token granted for {@code F}. Hasp processes change {@code F.lock} only while holding a kernel lock on
 * {@code .F.fence} ({@code fcntl} through {@link FileChannel#tryLock()}), taken for the microseconds of one
 * read-decide-write.
 * Because the kernel drops that lock when its process dies, even by {@code kill -9}, this guard can never be
 * stale, and a decision taken under it (this lock is stale, break it; this grant is ours, remove it) cannot be
 * overtaken by another Hasp process. The fence file is never deleted: deleting a file others may hold a kernel lock
 * on would split the guard in two.
 *
 * <p>Within one JVM, {@code fcntl} locks belong to the process, so threads first take a striped in-memory lock
 * keyed by the path; only one thread of this JVM ever has a given fence file open, which also avoids the POSIX rule
 * that closing any descriptor of a file drops the process' locks on it.
 */
final class FenceGuard {

    private static final int STRIPES = 1024;
    private static final ReentrantLock[] LOCKS = new ReentrantLock[STRIPES];
    /** How long one attempt may spin on a guard another process holds; its holder keeps it for microseconds. */
    private static final long SPIN_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    static {
        for (int i = 0; i < STRIPES; i++) {
            LOCKS[i] = new ReentrantLock();
        }
    }

    private FenceGuard() {
    }

    /** The guard of one resource, held; closing it releases the kernel lock and then the in-JVM stripe. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock stripe;
        private final FileChannel channel;
        private final FileLock lock;

        private Held(ReentrantLock stripe, FileChannel channel, FileLock lock) {
            this.stripe = stripe;
            this.channel = channel;
            this.lock = lock;
        }

        /** The last fencing token granted, or 0 when none was (or the counter is unreadable). */
        long lastToken() throws IOException {
            ByteBuffer buf = ByteBuffer.allocate(32);
            channel.read(buf, 0);
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
            try {
                return text.isEmpty() ? 0 : Long.parseLong(text);
            } catch (NumberFormatException e) {
                return 0;
            }
        }

        /**
         * Records the token just granted, written in place at a fixed width: the file never changes size, because
         * ext4 (auto_da_alloc) flushes a file truncated and rewritten as it would an fsync, costing milliseconds per
         * grant. Not forced to disk either: tokens are never below the wall clock's microseconds (see
         * {@link #nextToken}), so a counter rolled back by a power failure still yields larger tokens.
         */
        void recordToken(long token) throws IOException {
            byte[] bytes = new byte[21];
            long rest = token;
            for (int i = 19; i >= 0; i--) {
                bytes[i] = (byte) ('0' + rest % 10);
                rest /= 10;
            }
            bytes[20] = '\n';
            channel.write(ByteBuffer.wrap(bytes), 0);
        }

        /**
         * Next fencing token: {@code max(last + 1, now in microseconds)}. Strictly increasing per resource; the
         * clock term keeps it increasing even if the counter file lost its last writes.
         */
        long nextToken(long nowMicros) throws IOException {
            long next = Math.max(lastToken() + 1, nowMicros);
            recordToken(next);
            return next;
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel below releases it too
            } finally {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // nothing left to release
                } finally {
                    stripe.unlock();
                }
            }
        }
    }

    /**
     * Tries to take the guard of the resource whose fence file is {@code fence}, spinning a few milliseconds at
     * most. Returns {@code null} when another thread or process keeps it longer; the caller retries later.
     */
    static Held tryAcquire(Path fence) throws IOException {
        ReentrantLock stripe = LOCKS[Math.floorMod(fence.hashCode(), STRIPES)];
        try {
            if (!stripe.tryLock(SPIN_NANOS, TimeUnit.NANOSECONDS)) {
                return null;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
        FileChannel channel = null;
        try {
            channel = open(fence);
            long until = System.nanoTime() + SPIN_NANOS;
            FileLock lock;
            while ((lock = channel.tryLock()) == null) {
                if (System.nanoTime() - until > 0) {
                    channel.close();
                    stripe.unlock();
                    return null;
                }
                // the holder may be a descheduled thread of another process: give it the CPU
                Thread.yield();
            }
            return new Held(stripe, channel, lock);
        } catch (IOException | RuntimeException | Error e) {
            closeQuietly(channel);
            stripe.unlock();
            if (e instanceof OverlappingFileLockException) {
                throw new IOException("fence lock overlaps another in this JVM", e);
            }
            throw e;
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
        }
    }

    private static FileChannel open(Path fence) throws IOException {
        try {
            return FileChannel.open(fence, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            java.nio.file.Files.createDirectories(fence.getParent());
            return FileChannel.open(fence, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
    }
}
