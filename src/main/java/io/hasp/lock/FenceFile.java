package io.hasp.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The sidecar of resource {@code F}, {@code .F.fence}: the short critical section around every change of
 * {@code F.lock} (the guard), the fencing counter, and this resource's queue of waiting processes (the turn).
 *
 * <p>Content, at fixed offsets, each a 20-digit ASCII decimal and a newline: the last fencing token granted for
 * {@code F}; the next turn ticket; a state word ({@code gone} once the file has been removed, see
 * {@link FenceFiles#removeIfIdle}). Kernel byte-range locks ({@code fcntl}, dropped by the kernel when their process
 * dies, even by {@code kill -9}):
 * <ul>
 *   <li>byte 0, the guard: held for the microseconds of one read-decide-write of {@code F.lock};</li>
 *   <li>byte {@code SLOT_BASE + t}, the slot of ticket {@code t}: held by the process that drew {@code t} while it
 *       waits for its turn. Its successor blocks on it ({@code F_SETLKW}) and is woken by the kernel the moment it is
 *       released, or its holder dies.</li>
 * </ul>
 * One instance per file per JVM ({@link FenceFiles}); {@code fcntl} locks belong to the process, so threads of this
 * JVM take {@link #mutex} before the guard, and this JVM's own slots are tracked in {@link #jvmSlots} so that no
 * test lock ever overlaps a lock of this JVM (Java refuses overlapping locks within one JVM).
 */
final class FenceFile {

    /** Byte of ticket 0's slot; far past the content. */
    static final long SLOT_BASE = 1L << 40;
    private static final int FIELD = 21;
    private static final long TOKEN_AT = 0;
    private static final long TICKET_AT = FIELD;
    private static final long STATE_AT = 2L * FIELD;
    private static final String GONE = "gone";
    /** Longest wait for a guard another process holds; its holder keeps it for microseconds. */
    private static final long GUARD_PATIENCE_NANOS = TimeUnit.SECONDS.toNanos(2);

    final Path path;
    final FileChannel channel;
    private final ReentrantLock mutex = new ReentrantLock();
    /** Slots of this JVM (held, or being waited for by a turn thread), by ticket. Guarded by {@code this}. */
    private final TreeSet<Long> jvmSlots = new TreeSet<>();
    /** Set once the file was found removed (tombstone) or closed: users reopen through the registry. */
    volatile boolean dead;
    /** Users of this instance (guarded by the registry). */
    int refs;

    FenceFile(Path path, FileChannel channel) {
        this.path = path;
        this.channel = channel;
    }

    /**
     * Takes the guard: this JVM's mutex, then the kernel lock on byte 0. Returns {@code null} when another process
     * keeps it for longer than a couple of seconds (the caller counts that as busy), and {@link Guard#GONE} when the
     * file turned out to be removed meanwhile (the caller reopens it). Blocking, never interruptible.
     */
    Guard guard() throws IOException {
        mutex.lock();
        try {
            long deadline = System.nanoTime() + GUARD_PATIENCE_NANOS;
            FileLock lock;
            int spins = 0;
            while ((lock = channel.tryLock(0, 1, false)) == null) {
                if (System.nanoTime() - deadline > 0) {
                    mutex.unlock();
                    return null;
                }
                if (++spins < 64) {
                    Thread.onSpinWait();
                } else if (spins < 1024) {
                    // the holder is most often a thread of another process on a busy CPU: give it the CPU now (a
                    // park sleeps at least the kernel's timer slack, 50 us, after the guard is free)
                    Thread.yield();
                } else {
                    // the holder may be a descheduled thread of another process: give it the CPU
                    LockSupport.parkNanos(Math.min(200_000, 1_000L * spins));
                }
            }
            if (GONE.equals(readField(STATE_AT))) {
                lock.release();
                dead = true;
                mutex.unlock();
                return Guard.GONE;
            }
            return new Guard(this, lock);
        } catch (IOException | RuntimeException | Error e) {
            if (mutex.isHeldByCurrentThread()) {
                mutex.unlock();
            }
            throw e;
        }
    }

    /** The guard of one resource, held; closing it releases the kernel lock and then this JVM's mutex. */
    static final class Guard implements AutoCloseable {
        /** The file was removed while we waited: reopen it. */
        static final Guard GONE = new Guard(null, null);

        private final FenceFile file;
        private final FileLock lock;

        private Guard(FenceFile file, FileLock lock) {
            this.file = file;
            this.lock = lock;
        }

        /** The last fencing token granted: the counter, or the directory's floor for a new file. */
        long lastToken() throws IOException {
            long recorded = parse(file.readField(TOKEN_AT));
            return recorded > 0 ? recorded : FenceFiles.floor(file.path.getParent());
        }

        /** Records {@code token} as the last one granted (in place, same width: no flush, see docs/locking.md). */
        void recordToken(long token) throws IOException {
            file.writeField(TOKEN_AT, Long.toString(token));
        }

        /** Next fencing token, {@code max(last + 1, nowMicros)}, recorded. */
        long nextToken(long nowMicros) throws IOException {
            long next = Math.max(lastToken() + 1, nowMicros);
            recordToken(next);
            return next;
        }

        /**
         * Draws the next turn ticket and locks its slot, so that the ticket's successor finds it held. Done under
         * the guard, so the slot is locked before any successor can draw the next ticket.
         */
        Ticket drawTicket() throws IOException {
            long ticket = parse(file.readField(TICKET_AT));
            FileLock slot = file.lockSlot(ticket);
            file.writeField(TICKET_AT, Long.toString(ticket + 1));
            return new Ticket(file, ticket, slot);
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // the channel is closed: the kernel lock went with it
            } finally {
                file.mutex.unlock();
            }
        }
    }

    /** A drawn ticket: its slot is held until {@link #release()}. */
    record Ticket(FenceFile file, long number, FileLock slot) {

        /**
         * Blocks until the ticket before this one is done (released, or its process died): the turn is then this
         * ticket's. Returns at once for the first ticket of the file. Run on a turn thread, never interrupted.
         */
        void awaitTurn() throws IOException {
            if (number > 0) {
                file.awaitSlot(number - 1);
            }
        }

        void release() {
            file.releaseSlot(number, slot);
        }
    }

    private synchronized FileLock lockSlot(long ticket) throws IOException {
        FileLock slot = channel.tryLock(SLOT_BASE + ticket, 1, false);
        if (slot == null) {
            throw new IOException("turn slot " + ticket + " is already held: the fence file was rewritten");
        }
        jvmSlots.add(ticket);
        return slot;
    }

    private void releaseSlot(long ticket, FileLock slot) {
        synchronized (this) {
            try {
                slot.release();
            } catch (IOException ignored) {
                // closed channel: released with it
            }
            jvmSlots.remove(ticket);
            notifyAll();
        }
    }

    private void awaitSlot(long ticket) throws IOException {
        synchronized (this) {
            if (jvmSlots.contains(ticket)) {
                // held by another engine of this JVM; Java refuses to wait on it, so poll its release
                while (jvmSlots.contains(ticket) && !dead) {
                    try {
                        wait(50);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                return;
            }
            jvmSlots.add(ticket);
        }
        try {
            channel.lock(SLOT_BASE + ticket, 1, true).release();
        } finally {
            synchronized (this) {
                jvmSlots.remove(ticket);
                notifyAll();
            }
        }
    }

    /**
     * Whether a process other than the holder of ticket {@code own} (a ticket of this JVM, or -1 for none) is waiting
     * for its turn: another engine of this JVM holds a slot, or another process holds one.
     */
    synchronized boolean othersQueued(long own) throws IOException {
        for (long t : jvmSlots) {
            if (t != own) {
                return true;
            }
        }
        if (own < 0) {
            return !free(SLOT_BASE, Long.MAX_VALUE - SLOT_BASE);
        }
        return !free(SLOT_BASE, own) || !free(SLOT_BASE + own + 1, Long.MAX_VALUE - SLOT_BASE - own - 1);
    }

    /** Whether nobody holds any lock on the file (guard or slot); only when this JVM holds none itself. */
    synchronized boolean unused() throws IOException {
        return jvmSlots.isEmpty() && !mutex.isLocked() && free(0, Long.MAX_VALUE);
    }

    private boolean free(long position, long size) throws IOException {
        if (size <= 0) {
            return true;
        }
        FileLock probe = channel.tryLock(position, size, true);
        if (probe == null) {
            return false;
        }
        probe.release();
        return true;
    }

    /** Marks the file removed, for processes that opened it before: they see it under the guard and reopen. */
    void writeTombstone() throws IOException {
        writeField(STATE_AT, GONE);
        dead = true;
    }

    private String readField(long at) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(FIELD);
        while (buf.hasRemaining()) {
            if (channel.read(buf, at + buf.position()) < 0) {
                break;
            }
        }
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    }

    private void writeField(long at, String value) throws IOException {
        byte[] bytes = new byte[FIELD];
        byte[] text = value.getBytes(StandardCharsets.US_ASCII);
        int pad = FIELD - 1 - text.length;
        byte filler = (byte) (value.chars().allMatch(Character::isDigit) ? '0' : ' ');
        for (int i = 0; i < pad; i++) {
            bytes[i] = filler;
        }
        System.arraycopy(text, 0, bytes, pad, text.length);
        bytes[FIELD - 1] = '\n';
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
            channel.write(buf, at + buf.position());
        }
    }

    /** {@code now} in microseconds since the epoch: the clock term of fencing tokens. */
    static long micros(java.time.Instant now) {
        return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
    }

    static long parse(String text) {
        try {
            return text.isEmpty() ? 0 : Long.parseLong(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
