package io.hasp.group;

import java.util.List;

/** Body of {@code GET /v1/groups}. */
public record GroupList(List<Group> groups) {
}
