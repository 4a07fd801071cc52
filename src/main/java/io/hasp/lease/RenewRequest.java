package io.hasp.lease;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.http.Millis;

/**
 * Body of {@code POST /v1/locks/{name}/{lockId}/renew}, optional.
 *
 * @param leaseMs the new lease, from now; absent means {@code hasp.lease.default}
 */
@Schema(name = "RenewRequest")
public record RenewRequest(@Millis @Schema(examples = "30000") Long leaseMs) {

    public static final RenewRequest DEFAULTS = new RenewRequest(null);
}
