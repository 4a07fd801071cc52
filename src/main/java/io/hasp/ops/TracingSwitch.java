package io.hasp.ops;

import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

import org.eclipse.microprofile.config.spi.ConfigSource;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;

/**
 * Tracing is off unless an OTLP endpoint is configured: this sets {@code quarkus.otel.sdk.disabled} to whether
 * neither {@code quarkus.otel.exporter.otlp.endpoint} nor {@code quarkus.otel.exporter.otlp.traces.endpoint} (nor
 * their environment variables) is set, so that without a collector no span is recorded and nothing tries to reach
 * one. Its ordinal is below {@code application.properties}, so {@code quarkus.otel.sdk.disabled} set anywhere wins.
 */
public class TracingSwitch implements ConfigSourceFactory {

    /** The keys that name a collector. */
    static final List<String> ENDPOINTS =
            List.of("quarkus.otel.exporter.otlp.endpoint", "quarkus.otel.exporter.otlp.traces.endpoint");

    private static final int ORDINAL = 150;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        boolean configured = ENDPOINTS.stream().map(context::getValue).anyMatch(TracingSwitch::set);
        // Said either way: what a build saw (no endpoint) is kept as a default, and must not outlive a start with one.
        return List.of(new MapBackedConfigSource("hasp tracing switch",
                Map.of("quarkus.otel.sdk.disabled", Boolean.toString(!configured)), ORDINAL) {
        });
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** A value given by a real source, not an extension's default. */
    private static boolean set(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank()
                && value.getConfigSourceOrdinal() > Integer.MIN_VALUE + 100;
    }
}
