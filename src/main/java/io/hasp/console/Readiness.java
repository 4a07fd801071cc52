package io.hasp.console;

import java.util.ArrayList;
import java.util.List;

import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * This replica's readiness, as {@code /q/health/ready} reports it: the overall status and each check's name, status
 * and {@code reason} when it gives one; no other check data (free bytes and the like stay on the probe).
 */
@Schema(name = "Readiness")
public record Readiness(@Schema(examples = "UP") String status, List<Check> checks) {

    public Readiness {
        checks = List.copyOf(checks);
    }

    /** One readiness check. */
    @Schema(name = "ReadinessCheck")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Check(@Schema(examples = "data-dir") String name, String status, String reason) {
    }

    /** Reads SmallRye Health's payload: {@code {"status", "checks": [{"name", "status", "data"?}]}}. */
    static Readiness of(JsonObject payload) {
        List<Check> checks = new ArrayList<>();
        for (JsonValue value : payload.getJsonArray("checks")) {
            JsonObject check = value.asJsonObject();
            JsonObject data = check.containsKey("data") ? check.getJsonObject("data") : null;
            String reason = data != null && data.get("reason") instanceof JsonString r ? r.getString() : null;
            checks.add(new Check(check.getString("name"), check.getString("status"), reason));
        }
        return new Readiness(payload.getString("status"), checks);
    }
}
