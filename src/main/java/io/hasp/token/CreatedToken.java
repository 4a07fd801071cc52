package io.hasp.token;

import java.time.Instant;
import java.util.List;

/**
 * Answer of {@code POST /v1/tokens}: the only time {@code token} (the secret) is ever shown. {@link #toString()}
 * hides it, so a stray log line cannot leak it.
 */
public record CreatedToken(String id, String name, List<Scope> scopes, Instant createdAt, Instant expiresAt,
                           String token) {

    @Override
    public String toString() {
        return "CreatedToken[id=" + id + ", name=" + name + ", scopes=" + scopes + ", token=***]";
    }
}
