package io.hasp.lease;

import java.util.HashSet;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.ValidationException;
import io.hasp.lock.LockType;

/**
 * Body of {@code POST /v1/locks}: several names taken all or none, in sorted order, with one set of options.
 * The names themselves are checked by {@link #lockNames()} so that a bad one answers {@code invalid-name}.
 *
 * @param names distinct lock names, 1 to {@link #MAX_NAMES}
 */
@Schema(name = "MultiAcquireRequest")
public record MultiAcquireRequest(
        @Schema(required = true, examples = "[\"orders\", \"invoices\"]", minItems = 1, maxItems = 64)
        List<String> names,
        @Schema(enumeration = {"exclusive", "shared"}) LockType type,
        Long timeoutMs, Long retryIntervalMs, Integer maxRetries, Long leaseMs) {

    /** Most names one request may lock: more would hold a long chain of locks in one call. */
    public static final int MAX_NAMES = 64;

    public MultiAcquireRequest {
        if (names == null || names.isEmpty() || names.size() > MAX_NAMES) {
            throw new ValidationException("names must hold 1 to " + MAX_NAMES + " lock names");
        }
        if (new HashSet<>(names).size() != names.size()) {
            throw new ValidationException("names must be distinct");
        }
        names = List.copyOf(names);
    }

    /** The checked names, in the order given. */
    public List<LockName> lockNames() {
        return names.stream().map(LockName::new).toList();
    }

    /** The options shared by every name. */
    public AcquireOptions options() {
        return new AcquireOptions(type, timeoutMs, retryIntervalMs, maxRetries, leaseMs);
    }
}
