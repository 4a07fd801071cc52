package io.hasp.token;

import java.time.Instant;
import java.util.List;

import io.hasp.storage.Checks;

/**
 * A token as stored in {@code tokens.json}: never the secret, only {@code hash} = HMAC-SHA256 of the secret keyed
 * with the token's own random {@code salt} (both base64). {@link #toString()} hides the hash.
 */
public record StoredToken(String id, String name, List<Scope> scopes, Instant createdAt, Instant expiresAt,
                          String salt, String hash) {

    public StoredToken {
        Checks.requireText("id", id, 64);
        Checks.requireText("name", name, CreateTokenRequest.MAX_NAME);
        Checks.require("scopes", scopes);
        scopes = List.copyOf(scopes);
        Checks.require("createdAt", createdAt);
        Checks.requireText("salt", salt, 128);
        Checks.requireText("hash", hash, 128);
    }

    /** The listing form, without salt and hash. */
    public TokenInfo info() {
        return new TokenInfo(id, name, scopes, createdAt, expiresAt);
    }

    /** Whether the token has expired at {@code now}. */
    public boolean expired(Instant now) {
        return expiresAt != null && !expiresAt.isAfter(now);
    }

    @Override
    public String toString() {
        return "StoredToken[id=" + id + ", name=" + name + ", scopes=" + scopes + "]";
    }
}
