package io.hasp.ops;

import static io.hasp.http.Auth.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.quarkus.test.junit.QuarkusTest;

/** Without an OTLP endpoint ({@link TracingSwitch}) the SDK is disabled: a request and a lock wait make no span. */
@QuarkusTest
class TracingOffByDefaultTest {

    @Inject
    InMemorySpanExporter exported;

    @Test
    void noEndpointNoSpans() {
        assertEquals(Boolean.TRUE,
                ConfigProvider.getConfig().getValue("quarkus.otel.sdk.disabled", Boolean.class));
        String name = "untraced-" + UUID.randomUUID();
        admin().body(Map.of()).post("/v1/locks/{n}", name).then().statusCode(201);
        admin().body(Map.of("id", name, "name", "Q")).post("/v1/queues").then().statusCode(201);
        // the switch's value above is what decides; this is a second look (a span would reach the exporter only
        // after the batch processor's delay, so an empty exporter alone would prove little)
        assertTrue(exported.getFinishedSpanItems().isEmpty(), exported.getFinishedSpanItems().toString());
    }
}
