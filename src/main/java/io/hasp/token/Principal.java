package io.hasp.token;

import java.util.Set;

/** Who made a request: the token's id (never its secret) and what it may do. */
public record Principal(String tokenId, Set<Scope> scopes) {

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    /** Whether one of the scopes allows what {@code needed} guards. */
    public boolean may(Scope needed) {
        return scopes.stream().anyMatch(s -> s.grants(needed));
    }
}
