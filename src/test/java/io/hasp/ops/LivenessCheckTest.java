package io.hasp.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.eclipse.microprofile.health.HealthCheckResponse;
import org.junit.jupiter.api.Test;

/** {@link LivenessCheck} answers UP without touching the disk (its HTTP behaviour is in the readiness tests). */
class LivenessCheckTest {

    @Test
    void livenessIsUp() {
        HealthCheckResponse response = new LivenessCheck().call();

        assertEquals(HealthCheckResponse.Status.UP, response.getStatus());
        assertEquals(LivenessCheck.NAME, response.getName());
    }
}
