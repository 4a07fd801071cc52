package io.hasp.group;

import java.util.List;

import io.hasp.storage.Checks;
import io.hasp.storage.SafeNames;

/** Body of {@code POST /v1/groups} (id optional) and {@code PUT /v1/groups/{id}} (the path names the group). */
public record GroupRequest(String id, String name, List<Session> sessions) {

    public GroupRequest {
        if (id != null) {
            SafeNames.require("group id", id);
        }
        Checks.requireText("name", name, Group.MAX_NAME);
        sessions = Group.checkSessions(sessions);
    }
}
