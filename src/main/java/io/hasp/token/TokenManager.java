package io.hasp.token;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.ValidationException;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.EntryImport;
import io.hasp.storage.FileRecordStore;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordKind;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.RecordRepository;
import io.hasp.storage.RecordSettings;
import io.hasp.storage.RecordStore;
import io.hasp.storage.RecordStores;
import io.hasp.storage.etcd.CollectionLayout;
import io.smallrye.mutiny.Uni;

/**
 * API tokens (plan TASK-008): create, list, revoke, each one change of the token record ({@code tokens.json} under its
 * lock, or the tokens' keys in etcd), so that concurrent requests lose no token; and authentication of presented
 * tokens.
 *
 * <p>Authentication reads a snapshot of the tokens, kept in memory. How it stays right:
 * <ul>
 *   <li>etcd: the store watches the token record; every change, by any replica, makes the snapshot stale, and the
 *       next authentication reads the tokens again (one read shared by the requests that wait for it). A revocation
 *       is so seen by every replica within the watch's delay (milliseconds). While the watch is broken, the snapshot
 *       is trusted for {@link #RECHECK} at most, as with files;</li>
 *   <li>files: the snapshot is compared with the file at most once per {@link #RECHECK} (the store's read re-parses
 *       only a file whose identity changed), so a revocation by any replica sharing the directory is seen within
 *       {@code RECHECK} plus one request.</li>
 * </ul>
 * A request whose snapshot is fresh is answered without any I/O.
 */
@Singleton
public class TokenManager extends RecordRepository<TokenStore> {

    /** Longest time between two checks of the token record for changes, when no watch tells of them. */
    public static final Duration RECHECK = Duration.ofMillis(250);

    /** The id of the token record, a singleton. */
    static final String ID = "tokens";

    /** The tokens: {@code tokens.json}; in etcd, one key per token (salt and hash, never the secret). */
    public static final RecordKind<TokenStore> KIND = new RecordKind<>(ID, "tokens", TokenStore.class, true, false,
            null, CollectionLayout.of(TokenStore.class, t -> new TokenStore(t.version(), List.of()),
                    TokenManager::byId,
                    (head, tokens) -> new TokenStore(head.version(), new ArrayList<>(tokens.values())),
                    StoredToken.class));

    /** Token name of the bootstrap admin token in logs. */
    private static final String BOOTSTRAP_NAME = "bootstrap admin";

    /** Token name in logs of a token no longer in the token record. */
    private static final String UNKNOWN_NAME = "unknown token";

    /** Token id of the bootstrap admin's principal; generated ids are hexadecimal, so it cannot collide. */
    private static final String BOOTSTRAP_ID = "admin";

    private final AdminToken admin;
    private final LongSupplier nanoTime;
    /** Changes the watch told of; a snapshot read before the last one is stale. */
    private final AtomicLong changes = new AtomicLong();
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile Snapshot snapshot = new Snapshot(null, Map.of(), 0, false, -1);
    private volatile Refresh refresh;

    @Inject
    public TokenManager(RecordStores stores, AdminToken admin) {
        this(stores.open(KIND), Clock.systemUTC(), admin, System::nanoTime);
    }

    /** Tokens on a file under {@code dataDir}, for tests without CDI. */
    public TokenManager(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock, Path dataDir,
                        LockOptions lockOptions, AdminToken admin, LongSupplier nanoTime) {
        this(new FileRecordStore<>(KIND, locks, writer, mapper, clock, dataDir, lockOptions,
                RecordSettings.defaults()), clock, admin, nanoTime);
    }

    public TokenManager(RecordStore<TokenStore> store, Clock clock, AdminToken admin, LongSupplier nanoTime) {
        super(store, clock);
        this.admin = admin;
        this.nanoTime = nanoTime;
        store.watch(ID, () -> {
            changes.incrementAndGet();
            watching.set(true);
        }, () -> {
            watching.set(false);
            changes.incrementAndGet();
        });
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
        }).invoke(this::forceRecheck);
    }

    /** Every token, without secrets or hashes. */
    public Uni<List<TokenInfo>> list() {
        return read(ID).map(store -> store.orElseGet(TokenStore::empty).tokens().stream()
                .map(StoredToken::info).toList());
    }

    /** Every token as stored (salt and hash, never a secret), for the admin export. */
    public Uni<List<StoredToken>> storedAll() {
        return read(ID).map(store -> store.orElseGet(TokenStore::empty).tokens());
    }

    /**
     * Stores {@code tokens} as they were exported (admin import): each replaces the token of its id, or, unless
     * {@code replace}, is refused with {@link RecordConflictException} when one exists. All or nothing
     * ({@link EntryImport}); the answer can undo it.
     */
    public Uni<EntryImport.Done> restoreAll(List<StoredToken> tokens, boolean replace) {
        Map<String, StoredToken> puts = new LinkedHashMap<>();
        tokens.forEach(t -> puts.put(t.id(), t));
        return new EntryImport<>(store, ID, TokenManager::byId,
                (record, byId) -> new TokenStore(0, new ArrayList<>(byId.values())), TokenStore.empty())
                .apply(puts, false, (id, existing) -> {
                    if (!replace && existing.isPresent()) {
                        throw new RecordConflictException("token " + id + " exists already");
                    }
                }, byId -> { }).invoke(this::forceRecheck);
    }

    private static Map<String, StoredToken> byId(TokenStore store) {
        return store.tokens().stream().collect(Collectors.toMap(StoredToken::id, Function.identity(), (a, b) -> a,
                LinkedHashMap::new));
    }

    /** Revokes (removes) a token; {@link RecordNotFoundException} when there is no such token. */
    public Uni<Void> revoke(String id) {
        return computeWithLock(ID, OptionalLong.empty(), current -> {
            List<StoredToken> tokens = new ArrayList<>(current.orElseGet(TokenStore::empty).tokens());
            if (!tokens.removeIf(t -> t.id().equals(id))) {
                throw new RecordNotFoundException("token " + id + " does not exist");
            }
            return Modification.<TokenStore, Void>write(new TokenStore(0, tokens), written -> null);
        }).invoke(this::forceRecheck);
    }

    /**
     * Who presents {@code token}: the bootstrap admin, a stored token that is not expired, or nobody. Never fails
     * for a bad token; completes without I/O while the snapshot is fresh.
     */
    public Uni<Optional<Principal>> authenticate(String token) {
        if (token == null || token.isEmpty()) {
            return Uni.createFrom().item(Optional.empty());
        }
        if (admin.matches(token)) {
            return Uni.createFrom().item(Optional.of(new Principal(BOOTSTRAP_ID, EnumSet.of(Scope.ADMIN))));
        }
        Snapshot current = snapshot;
        if (fresh(current)) {
            return Uni.createFrom().item(verify(current, token));
        }
        return refreshed().map(next -> verify(next, token));
    }

    /**
     * The name of an authenticated principal's token, for logs: the name it was created with, {@value #BOOTSTRAP_NAME}
     * for the bootstrap admin token. Answers from the snapshot that authenticated it, without I/O; a token revoked
     * since then is {@value #UNKNOWN_NAME}.
     */
    public String nameOf(Principal principal) {
        if (principal.tokenId().equals(BOOTSTRAP_ID)) {
            return BOOTSTRAP_NAME;
        }
        StoredToken stored = snapshot.byId().get(principal.tokenId());
        return stored == null ? UNKNOWN_NAME : stored.name();
    }

    private Optional<Principal> verify(Snapshot current, String token) {
        return TokenSecrets.parse(token).flatMap(parsed -> {
            StoredToken stored = current.byId().get(parsed.id());
            if (stored == null || stored.expired(clock.instant())
                    || !TokenSecrets.matches(stored.salt(), stored.hash(), parsed.secret())) {
                return Optional.empty();
            }
            return Optional.of(new Principal(stored.id(), EnumSet.copyOf(stored.scopes())));
        });
    }

    /** Fresh: no change since it was read (watched), or read less than {@link #RECHECK} ago (not watched). */
    private boolean fresh(Snapshot s) {
        if (!s.checked()) {
            return false;
        }
        if (watching.get()) {
            return s.generation() == changes.get();
        }
        return nanoTime.getAsLong() - s.checkedAtNanos() < RECHECK.toNanos();
    }

    /** The tokens as stored now; requests that need them while a read is going on share that read. */
    private Uni<Snapshot> refreshed() {
        long generation = changes.get();
        Refresh going = refresh;
        if (going != null && going.generation() == generation && !going.done().get()) {
            return going.read();
        }
        AtomicBoolean done = new AtomicBoolean();
        Uni<Snapshot> read = read(ID).map(found -> {
            TokenStore source = found.orElseGet(TokenStore::empty);
            Snapshot last = snapshot;
            Map<String, StoredToken> byId = source == last.source() ? last.byId()
                    : source.tokens().stream().collect(Collectors.toUnmodifiableMap(StoredToken::id,
                            Function.identity(), (a, b) -> a));
            Snapshot next = new Snapshot(source, byId, nanoTime.getAsLong(), true, generation);
            snapshot = next;
            return next;
        }).eventually(() -> done.set(true)).memoize().indefinitely();
        refresh = new Refresh(read, generation, done);
        return read;
    }

    private void forceRecheck() {
        Snapshot s = snapshot;
        snapshot = new Snapshot(s.source(), s.byId(), 0, false, s.generation());
    }

    /** A read of the tokens going on, for the requests that wait for it. */
    private record Refresh(Uni<Snapshot> read, long generation, AtomicBoolean done) {
    }

    /**
     * What the token record said when last read ({@code source}, the object the store gave: the same object means
     * the same content), when, and after how many watched changes; {@code checked} false means "read before
     * trusting" (at start, and after this process changed the tokens).
     */
    private record Snapshot(TokenStore source, Map<String, StoredToken> byId, long checkedAtNanos, boolean checked,
                            long generation) {
    }
}
