package io.hasp.ops;

import static io.hasp.http.Auth.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;

/**
 * With tracing on, a lock wait is one span with the lock's name, type, outcome and wait, inside the span of the HTTP
 * request that waited, whichever backend holds the named locks: {@link TracingTest} runs these cases on the file
 * backend, {@link EtcdTracingTest} on etcd.
 */
abstract class AbstractLockWaitTracingTest {

    static final Duration PATIENCE = Duration.ofSeconds(20);
    private static final long MILLI = 1_000_000;

    @Inject
    protected InMemorySpanExporter exported;

    private List<SpanData> lockWaits(String name) {
        return exported.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals(LockWaitSpans.SPAN) && name.equals(s.getAttributes()
                        .get(LockWaitSpans.NAME)))
                .toList();
    }

    private static long epochNanos(Instant at) {
        return at.getEpochSecond() * 1_000_000_000L + at.getNano();
    }

    /** The {@code count} wait spans of {@code name} with {@code outcome}, longest wait first, once exported. */
    private List<SpanData> lockWaits(String name, String outcome, int count) {
        return Awaitility.await(count + " " + outcome + " wait spans of " + name).atMost(PATIENCE)
                .until(() -> lockWaits(name).stream()
                        .filter(s -> outcome.equals(s.getAttributes().get(LockWaitSpans.OUTCOME)))
                        .sorted(Comparator.comparing((SpanData s) -> s.getAttributes().get(LockWaitSpans.WAIT_MS))
                                .reversed())
                        .toList(), spans -> spans.size() == count);
    }

    @Test
    void aLockWaitIsASpanWithNameTypeOutcomeAndWaitInsideItsRequest() {
        String name = "traced-" + UUID.randomUUID();
        // a lease long enough that even a slow, shared machine sends the waiter before it ends (2 s was not)
        String expiresAt = admin().body(Map.of("leaseMs", 6000)).post("/v1/locks/{n}", name).then().statusCode(201)
                .extract().path("expiresAt");
        long leaseEnd = epochNanos(Instant.parse(expiresAt));
        long sent = epochNanos(Instant.now());
        assertTrue(sent < leaseEnd, "the waiter is sent while the lease runs: " + (leaseEnd - sent) / MILLI + " ms left");
        // held by a lease nobody renews: this waiter is granted when it ends
        admin().body(Map.of("timeoutMs", 20_000, "leaseMs", 60_000)).post("/v1/locks/{n}", name)
                .then().statusCode(201);
        admin().body(Map.of("timeoutMs", 200, "type", "shared")).post("/v1/locks/{n}", name)
                .then().statusCode(409);

        SpanData waited = lockWaits(name, "acquired", 2).get(0);
        SpanData timedOut = lockWaits(name, "timeout", 1).get(0);

        assertEquals("exclusive", waited.getAttributes().get(LockWaitSpans.TYPE));
        assertTrue(waited.getStartEpochNanos() >= sent - MILLI && waited.getEndEpochNanos() >= leaseEnd - MILLI,
                "the span runs from the acquire call to the lease's end: " + waited);
        double waitMs = waited.getAttributes().get(LockWaitSpans.WAIT_MS);
        double spanMs = (waited.getEndEpochNanos() - waited.getStartEpochNanos()) / 1e6;
        assertTrue(Math.abs(spanMs - waitMs) < 1, "the span lasts the wait: " + spanMs + " vs " + waitMs);
        assertEquals("shared", timedOut.getAttributes().get(LockWaitSpans.TYPE));
        assertTrue(timedOut.getAttributes().get(LockWaitSpans.WAIT_MS) >= 200, timedOut.toString());

        SpanData request = exported.getFinishedSpanItems().stream()
                .filter(s -> s.getSpanId().equals(waited.getParentSpanId())).findFirst().orElseThrow(
                        () -> new AssertionError("the wait's parent is exported: " + exported.getFinishedSpanItems()));
        assertEquals(SpanKind.SERVER, request.getKind(), request.toString());
        assertEquals(waited.getTraceId(), request.getTraceId());
    }
}
