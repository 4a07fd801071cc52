package io.hasp.lease;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.lock.LockHandle;
import io.hasp.lock.LockType;

/**
 * A granted named lock as answered to its holder: the only answer that carries the {@code lockId}, the capability
 * that renews and releases it.
 */
@Schema(name = "LockGrant")
public record LockGrant(
        @Schema(examples = "orders") String name,
        @Schema(examples = "3f6c1a0e9b2d4c7f8a1e2d3c4b5a6978") String lockId,
        LockType type,
        @Schema(examples = "1767225600000001",
                description = "strictly increases with every grant of this name, across restarts and replicas")
        long fencingToken,
        @Schema(examples = "2026-01-01T00:00:00Z") Instant acquiredAt,
        @Schema(examples = "2026-01-01T00:00:30Z") Instant expiresAt) {

    static LockGrant of(String name, LockHandle handle) {
        return new LockGrant(name, handle.lockId(), handle.type(), handle.fencingToken(),
                handle.acquiredAt().truncatedTo(ChronoUnit.MILLIS),
                handle.expiresAt().map(e -> e.truncatedTo(ChronoUnit.MILLIS)).orElse(null));
    }
}
