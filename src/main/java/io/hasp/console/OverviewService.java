package io.hasp.console;

import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.hasp.group.GroupRepository;
import io.hasp.lease.LockBackend;
import io.hasp.ops.Sweeper;
import io.hasp.queue.QueueRepository;
import io.hasp.token.Principal;
import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;

/**
 * Assembles the {@link Overview} from the lock backend, the queue and group repositories, this replica's sweeper and
 * its readiness checks. The four reads run at once; the overview fails when one of them fails (a lock backend that
 * cannot be read answers 503, as {@code GET /v1/locks} does).
 */
@ApplicationScoped
public class OverviewService {

    @Inject
    LockBackend locks;

    @Inject
    QueueRepository queues;

    @Inject
    GroupRepository groups;

    @Inject
    Sweeper sweeper;

    @Inject
    SmallRyeHealthReporter health;

    /** The overview as {@code caller} may see it. */
    public Uni<Overview> overview(Principal caller) {
        return Uni.combine().all()
                .unis(locks.list(), queues.list(), groups.list(), health.getReadinessAsync())
                .with((lockList, queueList, groupList, ready) -> {
                    Instant now = Instant.now();
                    Sweeper.Outcome last = sweeper.last();
                    return new Overview(now, caller.scopes().stream().sorted().toList(), lockList.locks(),
                            queueList.stream().map(q -> QueueOverview.of(q, now)).toList(),
                            groupList.stream().map(GroupOverview::of).toList(),
                            last == null ? null : SweeperRun.of(last),
                            Readiness.of(ready.getPayload()));
                });
    }
}
