package io.hasp.group;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import io.hasp.ValidationException;
import io.hasp.storage.Checks;
import io.hasp.storage.Versioned;

/** A group of sessions, stored as {@code <data-dir>/groups/<id>.json}; session ids are unique within it. */
public record Group(String id, String name, long version, Instant createdAt, Instant updatedAt,
                   List<Session> sessions) implements Versioned<Group> {

    static final int MAX_NAME = 200;
    static final int MAX_SESSIONS = 10_000;

    public Group {
        Checks.namedRecord("group id", id, name, MAX_NAME, version, createdAt, updatedAt);
        sessions = checkSessions(sessions);
    }

    static List<Session> checkSessions(List<Session> sessions) {
        if (sessions == null) {
            return List.of();
        }
        if (sessions.size() > MAX_SESSIONS) {
            throw new ValidationException("a group has at most " + MAX_SESSIONS + " sessions");
        }
        Set<String> seen = new HashSet<>();
        for (Session s : sessions) {
            Checks.require("session", s);
            if (!seen.add(s.sessionId())) {
                throw new ValidationException("session ids must be unique within a group");
            }
        }
        return List.copyOf(sessions);
    }

    @Override
    public Group withVersion(long newVersion) {
        return new Group(id, name, newVersion, createdAt, updatedAt, sessions);
    }
}
