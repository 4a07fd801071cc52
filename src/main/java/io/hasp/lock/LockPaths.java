package io.hasp.lock;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Names of the files the engine keeps beside a resource {@code F}: the protocol's {@code F.lock}, and its internal
 * files, named by {@link InternalFiles} (a leading dot, which no valid name has).
 */
final class LockPaths {

    static final String LOCK_SUFFIX = ".lock";
    private static final String FENCE_SUFFIX = ".fence";
    /** Per directory: the highest fencing token of fence files removed there, where new ones start. */
    static final String FLOOR_NAME = ".fence-floor";
    private static final SecureRandom RANDOM = new SecureRandom();

    private LockPaths() {
    }

    static Path canonical(Path resource) {
        return resource.toAbsolutePath().normalize();
    }

    static Path lock(Path resource) {
        return resource.resolveSibling(resource.getFileName() + LOCK_SUFFIX);
    }

    /** The resource whose lock file is {@code lockFile} ({@code F.lock} -> {@code F}). */
    static Path resourceOfLock(Path lockFile) {
        String name = lockFile.getFileName().toString();
        return lockFile.resolveSibling(name.substring(0, name.length() - LOCK_SUFFIX.length()));
    }

    static Path fence(Path resource) {
        return InternalFiles.fenceFor(resource);
    }

    static Path floor(Path directory) {
        return directory.resolve(FLOOR_NAME);
    }

    /** A new temp file for rewriting {@code lockFile}. */
    static Path temp(Path lockFile) {
        return InternalFiles.tempFor(lockFile);
    }

    /** A new name to rename a stale {@code lockFile} aside to. */
    static Path aside(Path lockFile) {
        return InternalFiles.asideFor(lockFile);
    }

    /** The resource whose fence file is named {@code fileName}, or {@code null} when it names no fence file. */
    static String resourceOfFence(String fileName) {
        if (fileName.length() > 1 + FENCE_SUFFIX.length() && fileName.startsWith(".") && fileName.endsWith(FENCE_SUFFIX)
                && !InternalFiles.isTemp(Path.of(fileName))) {
            return fileName.substring(1, fileName.length() - FENCE_SUFFIX.length());
        }
        return null;
    }

    /** Whether {@code fileName} is a lock file the engine renamed aside to break it. */
    static boolean isAside(String fileName) {
        return InternalFiles.isAside(Path.of(fileName));
    }

    /** Whether {@code fileName} is a temp file of a lock-file rewrite. */
    static boolean isLockTemp(String fileName) {
        return InternalFiles.tempTarget(Path.of(fileName)).map(t -> t.toString().endsWith(LOCK_SUFFIX))
                .orElse(false);
    }

    /** A fresh id for a grant of this process: unique, not a secret (unlike a lease's lock id). */
    static String localId() {
        java.util.concurrent.ThreadLocalRandom r = java.util.concurrent.ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(r.nextLong()) + HexFormat.of().toHexDigits(r.nextLong());
    }

    static String randomHex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
