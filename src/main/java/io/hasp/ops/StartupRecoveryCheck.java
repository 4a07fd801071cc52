package io.hasp.ops;

import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Default;

import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Startup;

/**
 * Start-up probe ({@code /q/health/started}): DOWN until start-up recovery is reported finished by
 * {@link #markRecovered()}, UP from then on for the life of the process. Until then the instance must get no
 * traffic: records or locks left by a crash may not have been dealt with yet.
 *
 * <p>{@code @Startup} is a CDI qualifier; the bean is also {@code @Default} so that other features inject it
 * plainly to call {@link #markRecovered()}.
 */
@Startup
@Default
@ApplicationScoped
public class StartupRecoveryCheck implements HealthCheck {

    static final String NAME = "startup-recovery";

    private final AtomicBoolean recovered = new AtomicBoolean();

    /** Reports start-up recovery finished. Idempotent; there is no way back to DOWN. */
    public void markRecovered() {
        recovered.set(true);
    }

    /** Whether {@link #markRecovered()} has been called. */
    public boolean isRecovered() {
        return recovered.get();
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named(NAME).status(recovered.get()).build();
    }
}
