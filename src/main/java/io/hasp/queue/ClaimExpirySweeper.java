package io.hasp.queue;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Returns expired claims to {@code pending}, every {@code hasp.sweep.interval}. Each queue is changed under its own
 * lock, so several replicas sweeping at once are harmless: the second finds nothing left to release. A run that
 * overlaps the previous one is skipped.
 */
@ApplicationScoped
public class ClaimExpirySweeper {

    private static final Logger LOG = Logger.getLogger(ClaimExpirySweeper.class);

    private final QueueRepository queues;

    @Inject
    public ClaimExpirySweeper(QueueRepository queues) {
        this.queues = queues;
    }

    @Scheduled(identity = "claim-expiry", every = "${hasp.sweep.interval}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return queues.releaseExpiredClaims()
                .invoke(released -> {
                    if (released > 0) {
                        LOG.infof("returned %d expired claim(s) to pending", released);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("claim expiry sweep failed, retrying next interval: %s", e))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}
