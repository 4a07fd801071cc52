package io.hasp.filechange;

import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.hasp.storage.Checks;
import io.hasp.storage.Versioned;

/** {@code file-changes/index.json}: for every path, the sessions that changed it (sorted by session id). */
public record ChangeIndex(long version, Instant updatedAt, Map<String, List<IndexEntry>> paths)
        implements Versioned<ChangeIndex> {

    public ChangeIndex {
        Checks.version(version);
        Checks.require("updatedAt", updatedAt);
        paths = paths == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(paths));
    }

    @Override
    public ChangeIndex withVersion(long newVersion) {
        return new ChangeIndex(newVersion, updatedAt, paths);
    }
}
