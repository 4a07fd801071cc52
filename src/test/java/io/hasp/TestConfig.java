package io.hasp;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

import io.hasp.lock.LockEngineSettings;
import io.hasp.storage.RecordSettings;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.PathConverter;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;

/**
 * {@link HaspConfig} with nothing configured, for tests without CDI: every value is the {@code @WithDefault} of
 * {@link HaspConfig}, read the way Quarkus reads it, so that tests and the application share one set of defaults.
 */
public final class TestConfig {

    private static final HaspConfig DEFAULTS = new SmallRyeConfigBuilder()
            .withMapping(HaspConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withConverter(Path.class, 200, new PathConverter())
            .build()
            .unwrap(SmallRyeConfig.class)
            .getConfigMapping(HaspConfig.class);

    private TestConfig() {
    }

    /** The configuration of an application started with no setting at all. */
    public static HaspConfig defaults() {
        return DEFAULTS;
    }

    /** The lock engine's settings by default (system clock, worker pool). */
    public static LockEngineSettings lockEngine() {
        return LockEngineSettings.of(DEFAULTS, Clock.systemUTC());
    }

    /** How record changes are committed by default. */
    public static RecordSettings records() {
        return RecordSettings.of(DEFAULTS);
    }
}
