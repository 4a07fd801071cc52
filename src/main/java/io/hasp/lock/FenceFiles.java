package io.hasp.lock;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import org.jboss.logging.Logger;

/**
 * This JVM's open fence files, one {@link FenceFile} per path, shared by every engine of the JVM (kernel locks belong
 * to the process, and POSIX drops all of a process' locks on a file when any of its descriptors of that file is
 * closed: so a fence file is open at most once, and closed only when this JVM holds nothing on it).
 *
 * <p>Idle files stay open in a bounded cache, so a hot resource costs no {@code open}/{@code close} per grant.
 * {@link #removeIfIdle} deletes a fence file that guards nothing, safely: see its Javadoc.
 */
final class FenceFiles {

    private static final Logger LOG = Logger.getLogger(FenceFiles.class);
    /** Idle open fence files kept; beyond this the eldest is closed. */
    private static final int IDLE_CAPACITY = 512;
    private static final Map<Path, FenceFile> OPEN = new HashMap<>();
    private static final LinkedHashMap<Path, FenceFile> IDLE = new LinkedHashMap<>(64, 0.75f, true);

    private FenceFiles() {
    }

    /**
     * The fence file of {@code resource}, opened (and created when {@code create}) if needed, with one more user;
     * {@code null} when it does not exist and {@code create} is false. Balance with {@link #put}.
     */
    static FenceFile take(Path resource, boolean create) throws IOException {
        Path path = LockPaths.fence(resource);
        synchronized (FenceFiles.class) {
            FenceFile f = OPEN.get(path);
            if (f != null && f.dead) {
                // removed by some process: open the new file; the old one closes when its last user gives it back
                // (closing it now would fail its other users with ClosedChannelException instead of telling them)
                retire(f);
                f = null;
            }
            if (f == null) {
                FileChannel channel = open(path, create);
                if (channel == null) {
                    return null;
                }
                f = new FenceFile(path, channel);
                OPEN.put(path, f);
            }
            IDLE.remove(path);
            f.refs++;
            return f;
        }
    }

    /**
     * Runs {@code work} under the guard of {@code resource}, for operations of any process on a lock file (renew,
     * release by lock id, sweep). Without a fence file, when {@code create} is false, nothing can be held: answers
     * {@code ifNone} and creates no file. Waits for a busy guard a minute at most (then an {@link IOException}).
     */
    static <T> T withGuard(Path resource, boolean create, T ifNone, GuardedWork<T> work) throws IOException {
        long until = System.nanoTime() + java.util.concurrent.TimeUnit.MINUTES.toNanos(1);
        while (System.nanoTime() - until < 0) {
            FenceFile f = take(resource, create);
            if (f == null) {
                return ifNone;
            }
            try {
                FenceFile.Guard guard = f.guard();
                if (guard == FenceFile.Guard.GONE) {
                    forget(f);
                    continue;
                }
                if (guard == null) {
                    continue;
                }
                try (guard) {
                    return work.run(guard);
                }
            } finally {
                put(f);
            }
        }
        throw new IOException("the guard of " + resource.getFileName() + " stayed busy for a minute");
    }

    /** Work under a guard. */
    @FunctionalInterface
    interface GuardedWork<T> {
        T run(FenceFile.Guard guard) throws IOException;
    }

    /** Gives back one use of {@code f}; an unused file stays open in the idle cache. */
    static void put(FenceFile f) {
        synchronized (FenceFiles.class) {
            f.refs--;
            if (f.refs > 0) {
                return;
            }
            if (f.dead || OPEN.get(f.path) != f) {
                close(f);
                return;
            }
            IDLE.put(f.path, f);
            if (IDLE.size() > IDLE_CAPACITY) {
                Iterator<FenceFile> eldest = IDLE.values().iterator();
                FenceFile victim = eldest.next();
                eldest.remove();
                close(victim);
            }
        }
    }

    /** Forgets a file found removed (tombstoned), so the next {@link #take} opens the new one. */
    static void forget(FenceFile f) {
        synchronized (FenceFiles.class) {
            f.dead = true;
            retire(f);
        }
    }

    /**
     * Removes the fence file of {@code resource} when it guards nothing: this JVM does not use it, no process holds
     * a lock on it (its guard or a turn slot), and {@code stillIdle} (checked while every lock on it is held here)
     * says no lock file exists. Its last token first raises the directory's floor, where new fence files start, so
     * tokens still strictly increase; then a tombstone tells processes that opened it earlier to reopen, and it is
     * unlinked. Returns whether it was removed.
     */
    static boolean removeIfIdle(Path resource, IoCheck stillIdle) throws IOException {
        Path path = LockPaths.fence(resource);
        synchronized (FenceFiles.class) {
            FenceFile f = OPEN.get(path);
            if (f != null && f.refs > 0) {
                return false;
            }
            if (f == null || f.dead) {
                FileChannel channel = open(path, false);
                if (channel == null) {
                    return false;
                }
                f = new FenceFile(path, channel);
            }
            // no take() can run meanwhile (this JVM's registry is locked), so this JVM holds nothing on the file
            try {
                FileLock all = f.channel.tryLock(0, Long.MAX_VALUE, false);
                if (all == null) {
                    return false;
                }
                try {
                    if (!stillIdle.check()) {
                        return false;
                    }
                    raiseFloor(path.getParent(), FenceFile.parse(readToken(f.channel)));
                    f.writeTombstone();
                    Files.deleteIfExists(path);
                    return true;
                } finally {
                    all.release();
                }
            } finally {
                close(f);
            }
        }
    }

    /** A check made while holding every lock on a fence file. */
    @FunctionalInterface
    interface IoCheck {
        boolean check() throws IOException;
    }

    /** The floor of fencing tokens in {@code directory}: the highest token of a fence file removed there. */
    static long floor(Path directory) throws IOException {
        try {
            return FenceFile.parse(Files.readString(LockPaths.floor(directory), StandardCharsets.US_ASCII).trim());
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static void raiseFloor(Path directory, long token) throws IOException {
        Path floor = LockPaths.floor(directory);
        try (FileChannel ch = FileChannel.open(floor, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE); FileLock ignored = ch.lock()) {
            ByteBuffer buf = ByteBuffer.allocate(32);
            ch.read(buf, 0);
            long current = FenceFile.parse(new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII)
                    .trim());
            if (token > current) {
                byte[] text = String.format("%020d%n", token).getBytes(StandardCharsets.US_ASCII);
                // not forced, as the fencing counter itself is not: the clock term covers a rolled-back floor
                ch.write(ByteBuffer.wrap(text), 0);
            }
        }
    }

    private static String readToken(FileChannel channel) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(21);
        channel.read(buf, 0);
        return new String(buf.array(), 0, buf.position(), StandardCharsets.US_ASCII).trim();
    }

    private static FileChannel open(Path path, boolean create) throws IOException {
        try {
            return create
                    ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                            StandardOpenOption.WRITE)
                    : FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            if (!create) {
                return null;
            }
            Files.createDirectories(path.getParent());
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
        }
    }

    /** Takes a dead file out of the registry; closes it if nobody uses it, else its last {@link #put} does. */
    private static void retire(FenceFile f) {
        IDLE.remove(f.path, f);
        OPEN.remove(f.path, f);
        if (f.refs <= 0) {
            close(f);
        }
    }

    private static void close(FenceFile f) {
        f.dead = true;
        IDLE.remove(f.path, f);
        OPEN.remove(f.path, f);
        try {
            f.channel.close();
        } catch (IOException e) {
            LOG.debugf("closing a fence file failed: %s", e.toString());
        }
    }
}
