package io.hasp.storage;

/**
 * A change that would take a record past one of the size caps of {@code hasp.limits.*}; answered with {@code 422}
 * (reason {@code limit-exceeded}, naming the setting and its value). It is thrown before anything is written, so the
 * record stays as it was. 422 rather than 413: the request itself is small and well formed; it is the record it
 * would change that is full, which a smaller body would not fix.
 */
public class LimitExceededException extends RuntimeException {

    private final String setting;
    private final long limit;

    /**
     * @param detail  what would grow past the cap, safe to show to clients
     * @param setting the configuration key of the cap ({@code hasp.limits.queue-commands})
     * @param limit   its value
     */
    public LimitExceededException(String detail, String setting, long limit) {
        super(detail, null, false, false);
        this.setting = setting;
        this.limit = limit;
    }

    public String setting() {
        return setting;
    }

    public long limit() {
        return limit;
    }
}
