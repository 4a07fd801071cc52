package io.hasp.transfer;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.bookmark.BookmarkRepository;
import io.hasp.credential.CredentialRepository;
import io.hasp.filechange.FileChangeIndex;
import io.hasp.filechange.SessionChangeRepository;
import io.hasp.group.GroupRepository;
import io.hasp.queue.QueueRepository;
import io.hasp.storage.KeyedRepository;
import io.hasp.token.TokenRepository;

/**
 * The repositories of every kind an export holds: what export, import and the rollback of an import work on. A
 * {@code @Singleton} (no client proxy), because its users read its fields.
 */
@Singleton
public class TransferRepositories {

    final QueueRepository queues;
    final BookmarkRepository bookmarks;
    final GroupRepository groups;
    final SessionChangeRepository sessions;
    final FileChangeIndex index;
    final TokenRepository tokens;
    final CredentialRepository credentials;

    @Inject
    public TransferRepositories(QueueRepository queues, BookmarkRepository bookmarks, GroupRepository groups,
                                SessionChangeRepository sessions, FileChangeIndex index, TokenRepository tokens,
                                CredentialRepository credentials) {
        this.queues = queues;
        this.bookmarks = bookmarks;
        this.groups = groups;
        this.sessions = sessions;
        this.index = index;
        this.tokens = tokens;
        this.credentials = credentials;
    }

    /** The repository of {@code kind}, a kind with one record per id (not tokens or credentials). */
    KeyedRepository<?> keyed(TransferKind kind) {
        return switch (kind) {
            case QUEUE -> queues;
            case BOOKMARK -> bookmarks;
            case GROUP -> groups;
            case FILE_CHANGES -> sessions;
            default -> throw new IllegalStateException("not a record kind with ids: " + kind);
        };
    }
}
