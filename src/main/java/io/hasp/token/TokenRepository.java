package io.hasp.token;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.hasp.ValidationException;
import io.hasp.storage.EntryImport;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordStore;
import io.hasp.storage.RecordStores;
import io.hasp.storage.etcd.CollectionLayout;
import io.smallrye.mutiny.Uni;

/**
 * API tokens as stored: create, list, revoke, each one change of the token record ({@code tokens.json} under its lock,
 * or the tokens' keys in etcd), so that concurrent requests lose no token. A token's secret is never stored, only its
 * salted hash ({@link TokenSecrets}); the secret appears once, in the answer to its creation.
 *
 * <p>Every change made here is told to the listeners of {@link #onChange} once it is stored, so that the
 * authentication cache ({@link TokenManager}) reads the tokens again before it answers the next request; changes by
 * other replicas reach it through {@link #watch} or its own re-checks.
 */
@Singleton
public class TokenRepository extends RecordRepository<TokenStore> {

    /** The id of the token record, a singleton. */
    static final String ID = "tokens";

    /** The tokens: {@code tokens.json}; in etcd, one key per token (salt and hash, never the secret). */
    public static final RecordKind<TokenStore> KIND = new RecordKind<>(ID, "tokens", TokenStore.class, true, false,
            null, CollectionLayout.of(TokenStore.class, t -> new TokenStore(t.version(), List.of()),
                    TokenRepository::byId,
                    (head, tokens) -> new TokenStore(head.version(), new ArrayList<>(tokens.values())),
                    StoredToken.class));

    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    @Inject
    public TokenRepository(RecordStores stores, Clock clock) {
        super(stores, KIND, clock);
    }

    /** Creates a token; the answer is the only place its secret ever appears. */
    public Uni<CreatedToken> create(CreateTokenRequest request) {
        Instant now = now();
        if (request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
            throw new ValidationException("expiresAt must be in the future");
        }
        String id = TokenSecrets.newId();
        String secret = TokenSecrets.newSecret();
        String salt = TokenSecrets.newSalt();
        StoredToken stored = new StoredToken(id, request.name(), request.scopes(), now, request.expiresAt(), salt,
                TokenSecrets.hash(salt, secret));
        return computeWithLock(ID, OptionalLong.empty(), current -> {
            List<StoredToken> tokens = new ArrayList<>(current.orElseGet(TokenStore::empty).tokens());
            tokens.add(stored);
            return Modification.write(new TokenStore(0, tokens), written -> new CreatedToken(id, stored.name(),
                    stored.scopes(), now, stored.expiresAt(), TokenSecrets.format(id, secret)));
        }).invoke(this::changed);
    }

    /** Every token, without secrets or hashes. */
    public Uni<List<TokenInfo>> list() {
        return storedAll().map(tokens -> tokens.stream().map(StoredToken::info).toList());
    }

    /** Every token as stored (salt and hash, never a secret), for the admin export. */
    public Uni<List<StoredToken>> storedAll() {
        return current().map(TokenStore::tokens);
    }

    /**
     * The token record as last committed (empty when there is none). The same content comes back as the same object
     * while the store's copy is unchanged, so a reader can tell cheaply whether anything changed.
     */
    Uni<TokenStore> current() {
        return read(ID).map(store -> store.orElseGet(TokenStore::empty));
    }

    /**
     * Stores {@code tokens} as they were exported (admin import): each replaces the token of its id, or, unless
     * {@code replace}, is refused with {@link RecordConflictException} when one exists. All or nothing
     * ({@link EntryImport}); the answer can undo it.
     */
    public Uni<EntryImport.Done> restoreAll(List<StoredToken> tokens, boolean replace) {
        Map<String, StoredToken> puts = new LinkedHashMap<>();
        tokens.forEach(t -> puts.put(t.id(), t));
        return new EntryImport<>(store, ID, TokenRepository::byId,
                (record, byId) -> new TokenStore(0, new ArrayList<>(byId.values())), TokenStore.empty())
                .apply(puts, false, (id, existing) -> {
                    if (!replace && existing.isPresent()) {
                        throw new RecordConflictException("token " + id + " exists already");
                    }
                }, byId -> { }).invoke(this::changed);
    }

    /** Revokes (removes) a token; {@link RecordNotFoundException} when there is no such token. */
    public Uni<Void> revoke(String id) {
        return computeWithLock(ID, OptionalLong.empty(), current -> {
            List<StoredToken> tokens = new ArrayList<>(current.orElseGet(TokenStore::empty).tokens());
            if (!tokens.removeIf(t -> t.id().equals(id))) {
                throw new RecordNotFoundException("token " + id + " does not exist");
            }
            return Modification.<TokenStore, Void>write(new TokenStore(0, tokens), written -> null);
        }).invoke(this::changed);
    }

    /** Calls {@code listener} after every change made through this repository, once it is stored. */
    void onChange(Runnable listener) {
        listeners.add(listener);
    }

    /** The store's watch of the token record ({@link RecordStore#watch}): changes by any replica, where it can tell. */
    boolean watch(Runnable onChange, Runnable onBlind) {
        return store.watch(ID, onChange, onBlind);
    }

    private void changed() {
        listeners.forEach(Runnable::run);
    }

    private static Map<String, StoredToken> byId(TokenStore store) {
        return store.tokens().stream().collect(Collectors.toMap(StoredToken::id, Function.identity(), (a, b) -> a,
                LinkedHashMap::new));
    }
}
