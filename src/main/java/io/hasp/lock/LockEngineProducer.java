package io.hasp.lock;

import java.time.Clock;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import io.hasp.HaspConfig;

/**
 * CDI wiring of the lock engine. The engine is one singleton, so every lock of this process goes through it; it is
 * also the application-scoped {@link FileLockService}, which tests replace through Quarkus' own mock support.
 */
@ApplicationScoped
public class LockEngineProducer {

    private static final Logger LOG = Logger.getLogger(LockEngineProducer.class);

    @Produces
    @Singleton
    @Typed(LockFileEngine.class)
    LockFileEngine engine(HaspConfig config, Clock clock, Instance<LockEvents> events) {
        LockEngineSettings settings = LockEngineSettings.of(config, clock);
        if (events.isAmbiguous()) {
            LOG.warn("several LockEvents beans: lock metrics are off until only one remains");
        }
        return new LockFileEngine(settings, events.isResolvable() ? events.get() : LockEvents.NONE);
    }

    @Produces
    @ApplicationScoped
    FileLockService fileLockService(LockFileEngine engine) {
        return engine;
    }

    void close(@Disposes LockFileEngine engine) {
        engine.close();
    }
}
