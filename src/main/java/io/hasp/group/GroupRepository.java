package io.hasp.group;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.storage.KeyedRepository;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordStores;
import io.hasp.storage.SafeNames;
import io.smallrye.mutiny.Uni;

/**
 * Groups of sessions. Sessions report their state concurrently into one group record:
 * {@link #updateSession} inserts or updates one entry in one read-modify-write of the group and leaves every other
 * entry as it is, so no session's update is lost to another's, whichever replica each goes through.
 */
@Singleton
public class GroupRepository extends KeyedRepository<Group> {

    /** Groups, each stored whole in its own record. */
    @Inject
    public GroupRepository(RecordStores stores, Clock clock) {
        super(stores, RecordKind.whole("groups", "group", Group.class), clock);
    }

    /** Inserts or updates one session entry, leaving the others untouched; answers the group. */
    public Uni<Group> updateSession(String groupId, Session update, OptionalLong expectedVersion) {
        return modifyExisting(groupId, expectedVersion, group -> {
            Instant now = now();
            List<Session> sessions = new ArrayList<>(group.sessions());
            boolean replaced = false;
            for (int i = 0; i < sessions.size(); i++) {
                if (sessions.get(i).sessionId().equals(update.sessionId())) {
                    sessions.set(i, sessions.get(i).mergedWith(update, now));
                    replaced = true;
                }
            }
            if (!replaced) {
                sessions.add(new Session(update.sessionId(), update.status(), now, update.extra()));
            }
            return new Group(groupId, group.name(), group.version(), group.createdAt(), now, sessions);
        });
    }

    /** Removes one session entry; {@link RecordNotFoundException} when the group or the entry is absent. */
    public Uni<Group> removeSession(String groupId, String sessionId, OptionalLong expectedVersion) {
        SafeNames.require("session id", sessionId);
        return modifyExisting(groupId, expectedVersion, group -> {
            List<Session> sessions = new ArrayList<>(group.sessions());
            if (!sessions.removeIf(s -> s.sessionId().equals(sessionId))) {
                throw new RecordNotFoundException("session " + sessionId + " is not in group " + groupId);
            }
            return new Group(groupId, group.name(), group.version(), group.createdAt(), now(), sessions);
        });
    }
}
