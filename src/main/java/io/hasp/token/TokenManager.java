package io.hasp.token;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.hasp.ValidationException;
import io.hasp.lock.FileLockService;
import io.hasp.lock.LockOptions;
import io.hasp.storage.AtomicWriter;
import io.hasp.storage.BaseFileRepository;
import io.hasp.storage.Modification;
import io.hasp.storage.RecordNotFoundException;
import io.smallrye.mutiny.Uni;

/**
 * API tokens (plan TASK-008): create, list, revoke, all under the lock of {@code <data-dir>/tokens.json}, so that
 * concurrent requests lose no token; and authentication of presented tokens.
 *
 * <p>Authentication reads a cached snapshot of the file. The snapshot is checked against the file's identity
 * (inode, modification time, size) at most once per {@link #RECHECK}; when the file changed, it is re-read. So a
 * revocation by any replica sharing the directory is seen within {@code RECHECK} plus one request, without reading
 * the file on every request. The check runs on a worker thread; a request whose snapshot is fresh is answered
 * without any I/O.
 */
@Singleton
public class TokenManager extends BaseFileRepository<TokenStore> {

    /** Longest time between two checks of the token file for changes. */
    public static final Duration RECHECK = Duration.ofMillis(250);

    /** Token name of the bootstrap admin token in logs. */
    private static final String BOOTSTRAP_NAME = "bootstrap admin";

    /** Token name in logs of a token no longer in the token file. */
    private static final String UNKNOWN_NAME = "unknown token";

    /** Token id of the bootstrap admin's principal; generated ids are hexadecimal, so it cannot collide. */
    private static final String BOOTSTRAP_ID = "admin";

    private final Path file;
    private final AdminToken admin;
    private final LongSupplier nanoTime;
    private volatile Snapshot snapshot = new Snapshot(null, Map.of(), 0, false);

    @Inject
    public TokenManager(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, HaspConfig config,
                        AdminToken admin) {
        this(locks, writer, mapper, Clock.systemUTC(), config.dataDir(), lockOptions(config), admin,
                System::nanoTime);
    }

    public TokenManager(FileLockService locks, AtomicWriter writer, ObjectMapper mapper, Clock clock, Path dataDir,
                        LockOptions lockOptions, AdminToken admin, LongSupplier nanoTime) {
        super(locks, writer, mapper, clock, TokenStore.class, lockOptions);
        this.file = dataDir.resolve("tokens.json");
        this.admin = admin;
        this.nanoTime = nanoTime;
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
        return computeWithLock(file, OptionalLong.empty(), current -> {
            List<StoredToken> tokens = new ArrayList<>(current.orElseGet(TokenStore::empty).tokens());
            tokens.add(stored);
            return Modification.write(new TokenStore(0, tokens), written -> new CreatedToken(id, stored.name(),
                    stored.scopes(), now, stored.expiresAt(), TokenSecrets.format(id, secret)));
        }).invoke(this::forceRecheck);
    }

    /** Every token, without secrets or hashes. */
    public Uni<List<TokenInfo>> list() {
        return read(file).map(store -> store.orElseGet(TokenStore::empty).tokens().stream()
                .map(StoredToken::info).toList());
    }

    /** Revokes (removes) a token; {@link RecordNotFoundException} when there is no such token. */
    public Uni<Void> revoke(String id) {
        return computeWithLock(file, OptionalLong.empty(), current -> {
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
        if (current.fresh(nanoTime.getAsLong())) {
            return Uni.createFrom().item(verify(current, token));
        }
        return blocking(() -> verify(refresh(), token));
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

    /** Re-reads the token file when its identity changed since the last look; blocking. */
    private Snapshot refresh() {
        Snapshot current = snapshot;
        long now = nanoTime.getAsLong();
        if (current.fresh(now)) {
            return current;
        }
        Object identity = identity();
        Snapshot next;
        if (Objects.equals(identity, current.identity()) && current.identity() != null) {
            next = new Snapshot(identity, current.byId(), now, true);
        } else {
            Map<String, StoredToken> byId = readNow(file).orElseGet(TokenStore::empty).tokens().stream()
                    .collect(Collectors.toUnmodifiableMap(StoredToken::id, Function.identity(), (a, b) -> a));
            next = new Snapshot(identity, byId, now, true);
        }
        snapshot = next;
        return next;
    }

    /** Inode, modification time and size: an atomic rename changes at least the inode. */
    private Object identity() {
        try {
            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            return List.of(String.valueOf(attrs.fileKey()), attrs.lastModifiedTime().toMillis(), attrs.size());
        } catch (NoSuchFileException e) {
            return "absent";
        } catch (IOException e) {
            // Unknown identity: re-read next time rather than trust the old snapshot forever.
            return null;
        }
    }

    private void forceRecheck() {
        snapshot = new Snapshot(snapshot.identity(), snapshot.byId(), 0, false);
    }

    /**
     * What the token file said when last read, and when it was last compared with the file; {@code checked} false
     * means "compare before trusting" (at start, and after this process changed the file).
     */
    private record Snapshot(Object identity, Map<String, StoredToken> byId, long checkedAtNanos, boolean checked) {
        boolean fresh(long nowNanos) {
            return checked && nowNanos - checkedAtNanos < RECHECK.toNanos();
        }
    }
}
