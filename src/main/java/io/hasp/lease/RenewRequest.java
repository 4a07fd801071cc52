package io.hasp.lease;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Body of {@code POST /v1/locks/{name}/{lockId}/renew}, optional.
 *
 * @param leaseMs the new lease, from now; absent means {@code hasp.lease.default}
 */
@Schema(name = "RenewRequest")
public record RenewRequest(@Schema(minimum = "1", examples = "30000") Long leaseMs) {

    public static final RenewRequest DEFAULTS = new RenewRequest(null);

    public RenewRequest {
        AcquireOptions.checkMillis("leaseMs", leaseMs, 1);
    }
}
