package io.hasp.storage;

/**
 * A stored record that cannot be read as its kind: torn, not JSON, the JSON literal {@code null}, or followed by
 * more content. Answered with {@code 500}, reason {@code corrupt-record}, naming the file. Every mutation of the
 * record fails the same way before writing anything, so the file stays exactly as it is until an operator repairs
 * it ({@code docs/operations.md}); other records are not affected. The message names the file and where reading
 * failed, never the file's content, which may hold secrets.
 */
public class CorruptRecordException extends StorageException {

    private final String record;

    /**
     * @param record  the file name of the record ({@code a.json}), never a path
     * @param problem what is wrong, without quoting the content
     */
    public CorruptRecordException(String record, String problem) {
        super("stored record " + record + " is corrupt (" + problem + "); it is left as it is until an operator "
                + "repairs it", null);
        this.record = record;
    }

    /** The file name of the record. */
    public String record() {
        return record;
    }
}
