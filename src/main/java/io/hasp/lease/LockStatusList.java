package io.hasp.lease;

import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** Answer of {@code GET /v1/locks}: one status per locked name, sorted by name. */
@Schema(name = "LockStatusList")
public record LockStatusList(List<LockStatus> locks) {

    public LockStatusList {
        locks = List.copyOf(locks);
    }
}
