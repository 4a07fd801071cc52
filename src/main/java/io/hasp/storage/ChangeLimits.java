package io.hasp.storage;

/**
 * How much one change of a record may write: at most {@code entries} of its parts (commands of a queue, tokens,
 * credentials, paths of the file-change index) and about {@code bytes} in all. Files take any change whole; etcd takes
 * what fits one transaction. Code that changes many parts at once (an import, a rebuild) splits its work by these.
 */
public record ChangeLimits(int entries, long bytes) {

    /** No limit: the record is written whole, whatever its size. */
    public static final ChangeLimits NONE = new ChangeLimits(Integer.MAX_VALUE, Long.MAX_VALUE);

    public ChangeLimits {
        if (entries < 1 || bytes < 1) {
            throw new IllegalArgumentException("change limits must be positive");
        }
    }
}
