package io.hasp.filechange;

import java.time.Instant;

/** One session's latest change of a path, as the index holds it. */
public record IndexEntry(String sessionId, ChangeKind kind, Instant at) {
}
