package io.hasp.filechange;

import java.time.Instant;
import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;
import io.hasp.storage.Versioned;

/**
 * The changes of one session, the source of truth ({@code file-changes/sessions/<sessionId>.json}): the latest
 * change per path, sorted by path. The index is derived from these and can always be rebuilt from them.
 */
public record SessionChanges(String sessionId, long version, Instant updatedAt, List<FileChange> changes)
        implements Versioned<SessionChanges> {

    public SessionChanges {
        SafeNames.require("session id", sessionId);
        Checks.version(version);
        Checks.require("updatedAt", updatedAt);
        changes = changes == null ? List.of() : List.copyOf(changes);
    }

    @Override
    public SessionChanges withVersion(long newVersion) {
        return new SessionChanges(sessionId, newVersion, updatedAt, changes);
    }
}
