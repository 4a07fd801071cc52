package io.hasp.token;

import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * Who made a request: the token's id (never its secret) and the scopes it was created with. It is the principal of
 * the request's {@link SecurityIdentity}, whose roles are {@link #roles()}.
 */
public record Principal(String tokenId, Set<Scope> scopes) implements java.security.Principal {

    public Principal {
        scopes = Set.copyOf(scopes);
    }

    /** The principal of an identity authenticated by a Hasp token; every {@code @RolesAllowed} call has one. */
    public static Principal of(SecurityIdentity identity) {
        if (identity.getPrincipal() instanceof Principal principal) {
            return principal;
        }
        throw new IllegalStateException("the request was not authenticated by a Hasp token");
    }

    /** Whether one of the scopes allows what {@code needed} guards. */
    public boolean may(Scope needed) {
        return scopes.stream().anyMatch(s -> s.grants(needed));
    }

    /** Every scope one of the token's scopes grants ({@link Scope#grants}), by wire name: the identity's roles. */
    public Set<String> roles() {
        return Arrays.stream(Scope.values()).filter(this::may).map(Scope::wireName).collect(Collectors.toSet());
    }

    /** The token id: unique, and no secret. */
    @Override
    public String getName() {
        return tokenId;
    }
}
