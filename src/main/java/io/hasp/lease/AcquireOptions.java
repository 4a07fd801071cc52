package io.hasp.lease;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.ValidationException;
import io.hasp.lock.LockOptions;
import io.hasp.lock.LockType;

/**
 * The options of an acquisition, shared by {@code POST /v1/locks/{name}} and {@code POST /v1/locks}. Every member
 * is optional; an absent one takes its configured default ({@code hasp.lock.*}, {@code hasp.lease.default}).
 * Negative and absurd values (over {@link LockOptions#MAX_DURATION}) are refused here; a lease over
 * {@code hasp.lease.max} is refused by {@link LockBackend}, which knows the configuration.
 *
 * @param type            exclusive (default) or shared
 * @param timeoutMs       longest wait; 0 means one attempt
 * @param retryIntervalMs first pause between attempts
 * @param maxRetries      attempts that find the lock busy before giving up with {@code locked}
 * @param leaseMs         length of the lease; the lock is released by the service when it is not renewed in time
 */
@Schema(name = "AcquireOptions", description = "How to acquire; every member is optional")
public record AcquireOptions(
        @Schema(enumeration = {"exclusive", "shared"}, defaultValue = "exclusive") LockType type,
        @Schema(minimum = "0", maximum = "86400000", defaultValue = "30000") Long timeoutMs,
        @Schema(minimum = "1", maximum = "60000", defaultValue = "100") Long retryIntervalMs,
        @Schema(minimum = "0", maximum = "1000000", defaultValue = "10") Integer maxRetries,
        @Schema(minimum = "1", description = "at most hasp.lease.max (default 600000)", defaultValue = "30000")
        Long leaseMs) {

    /**
     * Upper bound of {@code retryIntervalMs}: a minute. A waiter is woken by releases, not by this interval, which only
     * paces attempts when no notification comes (and is capped by {@code hasp.lock.retry-cap} anyway); a longer one
     * is a mistake.
     */
    public static final long MAX_RETRY_INTERVAL_MS = 60_000;

    /** Upper bound of {@code maxRetries}; more is a mistake (use a longer timeout). */
    public static final int MAX_RETRIES = 1_000_000;

    /** No option given: every default. */
    public static final AcquireOptions DEFAULTS = new AcquireOptions(null, null, null, null, null);

    public AcquireOptions {
        checkMillis("timeoutMs", timeoutMs, 0);
        checkMillis("retryIntervalMs", retryIntervalMs, 1);
        if (retryIntervalMs != null && retryIntervalMs > MAX_RETRY_INTERVAL_MS) {
            throw new ValidationException("retryIntervalMs must be between 1 and " + MAX_RETRY_INTERVAL_MS);
        }
        checkMillis("leaseMs", leaseMs, 1);
        if (maxRetries != null && (maxRetries < 0 || maxRetries > MAX_RETRIES)) {
            throw new ValidationException("maxRetries must be between 0 and " + MAX_RETRIES);
        }
    }

    static void checkMillis(String field, Long value, long min) {
        long max = LockOptions.MAX_DURATION.toMillis();
        if (value != null && (value < min || value > max)) {
            throw new ValidationException(field + " must be between " + min + " and " + max);
        }
    }
}
