package io.hasp.lock;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * Names of the files the engine keeps beside a resource {@code F}. The protocol's {@code F.lock} is the only one
 * without a leading dot; every other one starts with a dot, which no valid record id or lock name can, so no name a
 * client chooses can ever collide with one of them (and sweepers never delete a client's file).
 */
final class LockPaths {

    static final String LOCK_SUFFIX = ".lock";
    private static final String FENCE_SUFFIX = ".fence";
    private static final String TEMP_INFIX = ".tmp.";
    private static final String ASIDE_INFIX = ".stale.";
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

    static Path fence(Path resource) {
        return resource.resolveSibling("." + resource.getFileName() + FENCE_SUFFIX);
    }

    static Path floor(Path directory) {
        return directory.resolve(FLOOR_NAME);
    }

    /** A new temp file for rewriting {@code lockFile}. */
    static Path temp(Path lockFile) {
        return lockFile.resolveSibling("." + lockFile.getFileName() + TEMP_INFIX + randomHex(8));
    }

    /** A new name to rename a stale {@code lockFile} aside to. */
    static Path aside(Path lockFile) {
        return lockFile.resolveSibling("." + lockFile.getFileName() + ASIDE_INFIX + randomHex(8));
    }

    /** The resource whose fence file is named {@code fileName}, or {@code null} when it names no fence file. */
    static String resourceOfFence(String fileName) {
        if (fileName.length() > 1 + FENCE_SUFFIX.length() && fileName.startsWith(".") && fileName.endsWith(FENCE_SUFFIX)
                && !fileName.contains(TEMP_INFIX)) {
            return fileName.substring(1, fileName.length() - FENCE_SUFFIX.length());
        }
        return null;
    }

    /** Whether {@code fileName} is a lock file the engine renamed aside to break it. */
    static boolean isAside(String fileName) {
        return fileName.startsWith(".") && fileName.contains(LOCK_SUFFIX + ASIDE_INFIX);
    }

    /** Whether {@code fileName} is a temp file of a lock-file rewrite. */
    static boolean isLockTemp(String fileName) {
        return fileName.startsWith(".") && fileName.contains(LOCK_SUFFIX + TEMP_INFIX);
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
