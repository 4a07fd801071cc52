package io.hasp.console;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.hasp.group.Group;
import io.hasp.group.Session;

/**
 * One group as the console shows it: its sessions' ids, statuses and last changes, the most recently changed first,
 * at most {@value #MAX_SESSIONS} of them ({@code sessionCount} says how many there are).
 */
@Schema(name = "GroupOverview")
public record GroupOverview(@Schema(examples = "deploys") String id, String name, long version, Instant updatedAt,
                            int sessionCount, List<SessionLine> sessions) {

    /** Most sessions listed per group, so that a huge group does not swell every refresh of the console. */
    public static final int MAX_SESSIONS = 100;

    public GroupOverview {
        sessions = List.copyOf(sessions);
    }

    /** One session: no extra members. */
    @Schema(name = "GroupOverviewSession")
    public record SessionLine(String sessionId, String status, Instant updatedAt) {
    }

    static GroupOverview of(Group group) {
        List<SessionLine> lines = group.sessions().stream()
                .sorted(Comparator.comparing(Session::updatedAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(MAX_SESSIONS)
                .map(s -> new SessionLine(s.sessionId(), s.status(), s.updatedAt()))
                .toList();
        return new GroupOverview(group.id(), group.name(), group.version(), group.updatedAt(),
                group.sessions().size(), lines);
    }
}
