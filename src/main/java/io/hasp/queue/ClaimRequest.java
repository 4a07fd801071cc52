package io.hasp.queue;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import io.hasp.http.Millis;
import io.hasp.http.PlainText;

/** Body of {@code POST /v1/queues/{id}/claim}; {@code leaseMs} defaults to {@code hasp.lease.default}. */
public record ClaimRequest(@NotBlank @Size(max = MAX_RUNNER_ID) @PlainText String runnerId, @Millis Long leaseMs) {

    /** Longest runner id. */
    public static final int MAX_RUNNER_ID = 200;
}
