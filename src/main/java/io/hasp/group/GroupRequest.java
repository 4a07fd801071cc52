package io.hasp.group;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;
import io.hasp.storage.RecordDraft;

/**
 * Body of {@code POST /v1/groups} (id optional) and {@code PUT /v1/groups/{id}} (the path names the group). Each
 * session checks itself when read; that session ids are unique is the group's own rule ({@link Group}).
 */
public record GroupRequest(@SafeName String id,
                           @NotBlank @Size(max = Group.MAX_NAME) @PlainText String name,
                           @Size(max = Group.MAX_SESSIONS) List<@NotNull Session> sessions)
        implements RecordDraft<Group> {

    public GroupRequest {
        sessions = sessions == null ? List.of() : sessions;
    }

    /**
     * The group this request makes, keeping the creation time of the one it replaces; a session sent without
     * {@code updatedAt} is stamped {@code now}.
     */
    @Override
    public Group toRecord(String id, Optional<Group> current, Instant now) {
        List<Session> stamped = sessions.stream().map(s -> s.updatedAt() != null ? s
                : new Session(s.sessionId(), s.status(), now, s.extra())).toList();
        return new Group(id, name, 0, current.map(Group::createdAt).orElse(now), now, stamped);
    }
}
