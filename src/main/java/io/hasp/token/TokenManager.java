package io.hasp.token;

import java.time.Clock;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;

import io.smallrye.mutiny.Uni;

/**
 * Authentication of presented tokens: who presents a token, answered from an in-memory snapshot of the tokens that
 * {@link TokenRepository} stores, with the secret checked in constant time ({@link TokenSecrets#matches}).
 *
 * <p>How the snapshot stays right:
 * <ul>
 *   <li>a change made through this replica's {@link TokenRepository} makes it stale at once: the next request reads
 *       the tokens again;</li>
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
public class TokenManager {

    /** Longest time between two checks of the token record for changes, when no watch tells of them. */
    public static final Duration RECHECK = Duration.ofMillis(250);

    /** Token name of the bootstrap admin token in logs. */
    private static final String BOOTSTRAP_NAME = "bootstrap admin";

    /** Token name in logs of a token no longer in the token record. */
    private static final String UNKNOWN_NAME = "unknown token";

    /** Token id of the bootstrap admin's principal; generated ids are hexadecimal, so it cannot collide. */
    private static final String BOOTSTRAP_ID = "admin";

    private final TokenRepository tokens;
    private final AdminToken admin;
    private final Clock clock;
    private final LongSupplier nanoTime;
    /** Changes the watch told of; a snapshot read before the last one is stale. */
    private final AtomicLong changes = new AtomicLong();
    private final AtomicBoolean watching = new AtomicBoolean();
    private volatile Snapshot snapshot = new Snapshot(null, Map.of(), 0, false, -1);
    private volatile Refresh refresh;

    @Inject
    public TokenManager(TokenRepository tokens, AdminToken admin, Clock clock) {
        this(tokens, admin, clock, System::nanoTime);
    }

    /** @param nanoTime the monotonic time that ages a snapshot ({@link #RECHECK}) */
    public TokenManager(TokenRepository tokens, AdminToken admin, Clock clock, LongSupplier nanoTime) {
        this.tokens = tokens;
        this.admin = admin;
        this.clock = clock;
        this.nanoTime = nanoTime;
        tokens.onChange(this::forceRecheck);
        tokens.watch(() -> {
            changes.incrementAndGet();
            watching.set(true);
        }, () -> {
            watching.set(false);
            changes.incrementAndGet();
        });
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
        Uni<Snapshot> read = tokens.current().map(source -> {
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
