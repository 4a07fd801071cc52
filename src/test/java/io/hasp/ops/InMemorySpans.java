package io.hasp.ops;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;

/**
 * The span exporter of the tests: spans stay in memory for the test to read. Quarkus exports to every
 * {@code SpanExporter} bean; outside {@link TracingProfile} tracing is off and this one receives nothing.
 */
public class InMemorySpans {

    @Produces
    @Singleton
    InMemorySpanExporter exporter() {
        return InMemorySpanExporter.create();
    }
}
