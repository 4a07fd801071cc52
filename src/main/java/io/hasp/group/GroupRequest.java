package io.hasp.group;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.hasp.http.PlainText;
import io.hasp.http.SafeName;

/**
 * Body of {@code POST /v1/groups} (id optional) and {@code PUT /v1/groups/{id}} (the path names the group). Each
 * session checks itself when read; that session ids are unique is the group's own rule ({@link Group}).
 */
public record GroupRequest(@SafeName String id,
                           @NotBlank @Size(max = Group.MAX_NAME) @PlainText String name,
                           @Size(max = Group.MAX_SESSIONS) List<@NotNull Session> sessions) {

    public GroupRequest {
        sessions = sessions == null ? List.of() : sessions;
    }
}
