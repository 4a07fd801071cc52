package io.hasp.lease;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.lock.LockHolder;
import io.hasp.lock.LockType;

/**
 * Who holds a named lock. Built from {@link LockHolder}, which has no lock id: a status never reveals the
 * capability that renews or releases a lock.
 */
@Schema(name = "LockStatus")
public record LockStatus(@Schema(examples = "orders") String name, boolean locked, List<Holder> holders) {

    public LockStatus {
        holders = List.copyOf(holders);
    }

    static LockStatus of(String name, List<LockHolder> holders) {
        return new LockStatus(name, !holders.isEmpty(), holders.stream().map(Holder::of).toList());
    }

    /** One live holder: never its lock id. */
    @Schema(name = "LockStatusHolder")
    public record Holder(LockType type, Long fencingToken, Instant acquiredAt, Instant expiresAt, String hostname,
                         long pid) {

        static Holder of(LockHolder h) {
            return new Holder(h.type(), h.fencingToken().isPresent() ? h.fencingToken().getAsLong() : null,
                    h.since().truncatedTo(ChronoUnit.MILLIS),
                    h.expiresAt().map(e -> e.truncatedTo(ChronoUnit.MILLIS)).orElse(null), h.hostname(), h.pid());
        }
    }
}
