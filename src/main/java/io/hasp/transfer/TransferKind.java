package io.hasp.transfer;

import java.util.Optional;

import io.hasp.bookmark.Bookmark;
import io.hasp.credential.StoredCredential;
import io.hasp.filechange.SessionChanges;
import io.hasp.group.Group;
import io.hasp.queue.Queue;
import io.hasp.token.StoredToken;

/**
 * The kinds of records an export holds, in the order it holds them, with each record's class and id. The file-change
 * index is derived from the session records ({@code file-changes}) and rebuilt after an import, not exported.
 */
enum TransferKind {
    QUEUE("queue", Queue.class),
    BOOKMARK("bookmark", Bookmark.class),
    GROUP("group", Group.class),
    FILE_CHANGES("file-changes", SessionChanges.class),
    TOKEN("token", StoredToken.class),
    CREDENTIAL("credential", StoredCredential.class);

    private final String wire;
    private final Class<?> type;

    TransferKind(String wire, Class<?> type) {
        this.wire = wire;
        this.type = type;
    }

    String wire() {
        return wire;
    }

    Class<?> type() {
        return type;
    }

    static Optional<TransferKind> of(String wire) {
        for (TransferKind k : values()) {
            if (k.wire.equals(wire)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The id of {@code record}, of this kind. */
    String idOf(Object record) {
        return switch (this) {
            case QUEUE -> ((Queue) record).id();
            case BOOKMARK -> ((Bookmark) record).id();
            case GROUP -> ((Group) record).id();
            case FILE_CHANGES -> ((SessionChanges) record).sessionId();
            case TOKEN -> ((StoredToken) record).id();
            case CREDENTIAL -> ((StoredCredential) record).name();
        };
    }
}
