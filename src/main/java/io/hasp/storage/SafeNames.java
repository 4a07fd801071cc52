package io.hasp.storage;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The only gate between a name from a request and a path on disk. A safe name matches
 * {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}} and never contains {@code ..}: no separator, no NUL, no percent escape,
 * no leading dot, so it can only ever name a file directly inside the directory it is resolved against.
 */
public final class SafeNames {

    /** Longest safe name. */
    public static final int MAX_LENGTH = 128;

    private static final Pattern SAFE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private SafeNames() {
    }

    /** Whether {@code name} is safe. */
    public static boolean isSafe(String name) {
        return name != null && SAFE.matcher(name).matches() && !name.contains("..");
    }

    /**
     * Returns {@code name} when it is safe; otherwise throws {@link InvalidNameException}, whose message does not
     * repeat the name (it could be megabytes, or carry control characters into a log).
     */
    public static String require(String what, String name) {
        if (!isSafe(name)) {
            throw new InvalidNameException(what + " must match [A-Za-z0-9][A-Za-z0-9._-]{0,127} and not contain '..'");
        }
        return name;
    }

    /**
     * Resolves {@code name + suffix} inside {@code dir}, after checking the name; the result is checked again to
     * lie directly inside {@code dir}, so a future change of the pattern cannot open an escape.
     */
    public static Path resolve(Path dir, String what, String name, String suffix) {
        require(what, name);
        Path base = dir.toAbsolutePath().normalize();
        Path file = base.resolve(name + suffix).normalize();
        if (!base.equals(file.getParent())) {
            throw new InvalidNameException(what + " does not name a file inside its directory");
        }
        return file;
    }
}
