package io.hasp.console;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.lease.LockStatus;
import io.hasp.token.Scope;

/**
 * Answer of {@code GET /v1/overview}: everything the console shows, in one read-scoped call. Named locks appear as
 * {@link LockStatus}, which never carries a lock id; queues as counts, never their commands.
 *
 * @param generatedAt when this replica made the overview (the console counts lease ends down from it)
 * @param scopes      the scopes of the caller's token, so that the console offers admin actions only to admins
 * @param sweeper     the last run of this replica's sweeper, absent before its first run
 */
@Schema(name = "Overview")
public record Overview(Instant generatedAt, List<Scope> scopes, List<LockStatus> locks, List<QueueOverview> queues,
                       List<GroupOverview> groups, SweeperRun sweeper, Readiness readiness) {

    public Overview {
        scopes = List.copyOf(scopes);
        locks = List.copyOf(locks);
        queues = List.copyOf(queues);
        groups = List.copyOf(groups);
    }
}
