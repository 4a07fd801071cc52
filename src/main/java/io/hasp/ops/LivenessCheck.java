package io.hasp.ops;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Liveness probe ({@code /q/health/live}): UP whenever the process can answer. It deliberately checks nothing on
 * disk: a full or missing volume is a readiness problem, and restarting the process would not fix it (it would
 * only drop the locks this instance holds).
 */
@Liveness
@ApplicationScoped
public class LivenessCheck implements HealthCheck {

    static final String NAME = "alive";

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.up(NAME);
    }
}
