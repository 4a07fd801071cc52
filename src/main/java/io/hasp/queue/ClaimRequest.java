package io.hasp.queue;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.lock.LockOptions;

/** Body of {@code POST /v1/queues/{id}/claim}; {@code leaseMs} defaults to {@code hasp.lease.default}. */
public record ClaimRequest(String runnerId, Long leaseMs) {

    /** Longest runner id. */
    public static final int MAX_RUNNER_ID = 200;

    public ClaimRequest {
        Checks.requireText("runnerId", runnerId, MAX_RUNNER_ID);
        if (leaseMs != null && (leaseMs <= 0 || leaseMs > LockOptions.MAX_DURATION.toMillis())) {
            throw new ValidationException("leaseMs must be between 1 and " + LockOptions.MAX_DURATION.toMillis());
        }
    }
}
