package io.hasp.lock;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The names of the files Hasp makes for itself beside records and lock files, in one place. Every such file starts
 * with a dot, and no valid record id or lock name does (API.md: {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}), so no
 * record file {@code <id>.json} and no lock file {@code F.lock} can ever be mistaken for one of them, whatever its
 * id says ({@code a.tmp.b}, {@code x.lock.stale.1}, {@code a.fence}).
 *
 * <table>
 *   <caption>Internal files of a file {@code F} (a record, a lock file, or a named lock's resource)</caption>
 *   <tr><th>name</th><th>what</th></tr>
 *   <tr><td>{@code .F.tmp.<16 hex>}</td><td>a new version of {@code F} before its atomic rename</td></tr>
 *   <tr><td>{@code .F.lock.stale.<16 hex>}</td><td>a stale lock file {@code F.lock} renamed aside by its
 *       breaker</td></tr>
 *   <tr><td>{@code .F.fence}</td><td>the fence file (fencing counter and guard) of resource {@code F}</td></tr>
 * </table>
 *
 * Sweepers delete only files that {@link #isTemp} or {@link #isAside} recognise; listings skip every
 * {@link #isInternal} file. Only {@code F} itself and the protocol's {@code F.lock} carry no dot.
 */
public final class InternalFiles {

    /** First character of every internal file name; never the first character of a valid name. */
    private static final String PREFIX = ".";

    private static final String TEMP_INFIX = ".tmp.";
    private static final String ASIDE_INFIX = ".stale.";
    private static final String FENCE_SUFFIX = ".fence";
    private static final int RANDOM_BYTES = 8;
    private static final Pattern TEMP = Pattern.compile("\\.(.+)\\.tmp\\.[0-9a-f]{16}");
    private static final Pattern ASIDE = Pattern.compile("\\.(.+\\.lock)\\.stale\\.[0-9a-f]{16}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private InternalFiles() {
    }

    /** A fresh, unique temp file name for {@code target}, in {@code target}'s directory: {@code .F.tmp.<hex>}. */
    public static Path tempFor(Path target) {
        return target.resolveSibling(PREFIX + target.getFileName() + TEMP_INFIX + randomHex());
    }

    /** A fresh, unique name to rename the stale lock file {@code lockFile} aside to: {@code .F.lock.stale.<hex>}. */
    public static Path asideFor(Path lockFile) {
        return lockFile.resolveSibling(PREFIX + lockFile.getFileName() + ASIDE_INFIX + randomHex());
    }

    /** The fence file of {@code resource}: {@code .F.fence}. */
    public static Path fenceFor(Path resource) {
        return resource.resolveSibling(PREFIX + resource.getFileName() + FENCE_SUFFIX);
    }

    /** Whether {@code file} is one of Hasp's internal files (any kind), judged by its name alone. */
    public static boolean isInternal(Path file) {
        return file.getFileName().toString().startsWith(PREFIX);
    }

    /** Whether {@code file} is a temp file made by {@link #tempFor}. */
    public static boolean isTemp(Path file) {
        return TEMP.matcher(file.getFileName().toString()).matches();
    }

    /** The file that the temp file {@code temp} was to replace; empty when {@code temp} is no temp file. */
    public static Optional<Path> tempTarget(Path temp) {
        Matcher m = TEMP.matcher(temp.getFileName().toString());
        return m.matches() ? Optional.of(temp.resolveSibling(m.group(1))) : Optional.empty();
    }

    /** Whether {@code file} is a lock file renamed aside by {@link #asideFor}. */
    public static boolean isAside(Path file) {
        return ASIDE.matcher(file.getFileName().toString()).matches();
    }

    private static String randomHex() {
        byte[] bytes = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
