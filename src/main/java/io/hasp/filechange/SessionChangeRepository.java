package io.hasp.filechange;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.storage.KeyedRepository;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordStores;
import io.smallrye.mutiny.Uni;

/** The per-session change records, {@code file-changes/sessions/<sessionId>.json} (or one etcd key each). */
@Singleton
public class SessionChangeRepository extends KeyedRepository<SessionChanges> {

    /** Session change records, each stored whole. */
    public static final RecordKind<SessionChanges> KIND = RecordKind.whole("file-changes/sessions", "session",
            SessionChanges.class);

    @Inject
    public SessionChangeRepository(RecordStores stores, Clock clock) {
        super(stores, KIND, clock);
    }

    Uni<SessionChanges> modify(String sessionId, Function<Optional<SessionChanges>, SessionChanges> modifier) {
        return modifyWithLock(sessionId, OptionalLong.empty(), modifier);
    }

    /** Blocking read, for the index's changes (on a worker thread). */
    Optional<SessionChanges> getNow(String sessionId) {
        return readNow(sessionId);
    }

    Instant currentTime() {
        return now();
    }
}
