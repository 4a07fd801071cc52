package io.hasp.lease;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Answer of {@code POST /v1/locks}: one grant per name, in the (sorted) order they were taken. */
@Schema(name = "LockGrants")
public record LockGrants(List<LockGrant> locks) {

    public LockGrants {
        locks = List.copyOf(locks);
    }
}
