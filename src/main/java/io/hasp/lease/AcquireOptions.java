package io.hasp.lease;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.PositiveOrZero;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.http.Millis;
import io.hasp.lock.LockType;

/**
 * The options of an acquisition, shared by {@code POST /v1/locks/{name}} and {@code POST /v1/locks}. Every member
 * is optional; an absent one takes its configured default ({@code hasp.lock.*}, {@code hasp.lease.default}).
 * The constraints refuse negative and absurd values; a lease over {@code hasp.lease.max} is refused by
 * {@link LockBackend}, which knows the configuration.
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
        @Millis(min = 0) @Schema(minimum = "0", maximum = "86400000", defaultValue = "30000") Long timeoutMs,
        @Millis @Max(MAX_RETRY_INTERVAL_MS) @Schema(minimum = "1", maximum = "60000", defaultValue = "100")
        Long retryIntervalMs,
        @PositiveOrZero @Max(MAX_RETRIES) @Schema(minimum = "0", maximum = "1000000", defaultValue = "10")
        Integer maxRetries,
        @Millis @Schema(minimum = "1", description = "at most hasp.lease.max (default 600000)", defaultValue = "30000")
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
}
