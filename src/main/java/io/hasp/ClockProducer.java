package io.hasp;

import java.time.Clock;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * The application's wall clock, UTC: every bean that stamps a time or computes an expiry takes it by injection, so
 * that one clock rules them all and a test can put its own in place.
 */
@Singleton
public class ClockProducer {

    @Produces
    @Singleton
    Clock clock() {
        return Clock.systemUTC();
    }
}
