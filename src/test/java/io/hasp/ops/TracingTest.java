package io.hasp.ops;

import static io.hasp.http.Auth.admin;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.UUID;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * With tracing on (file backend): the lock-wait cases of {@link AbstractLockWaitTracingTest}, and a record write is one
 * span with the record's kind, the batch's size and the write's time.
 */
@QuarkusTest
@TestProfile(TracingProfile.class)
class TracingTest extends AbstractLockWaitTracingTest {

    @Test
    void aRecordWriteIsASpanWithKindBatchSizeAndWriteTime() {
        String id = "traced-" + UUID.randomUUID();
        admin().body(Map.of("id", id, "name", "Traced")).post("/v1/queues").then().statusCode(201);

        SpanData write = Awaitility.await("a queue write span").atMost(PATIENCE).until(
                () -> exported.getFinishedSpanItems().stream().filter(s -> s.getName().equals(RecordWriteSpans.SPAN)
                        && "queues".equals(s.getAttributes().get(RecordWriteSpans.KIND))).findFirst().orElse(null),
                s -> s != null);
        assertTrue(write.getAttributes().get(RecordWriteSpans.BATCH) >= 1, write.toString());
        assertTrue(write.getAttributes().get(RecordWriteSpans.WRITE_MS) > 0, write.toString());
    }
}
