package io.hasp.http;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.hasp.token.Principal;
import io.hasp.token.TokenAuthenticator;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.TokenAuthenticationRequest;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Checks a bearer token against the token store ({@link TokenAuthenticator#authenticate}: constant-time, from a cached
 * snapshot, without I/O while it is fresh). A known, unexpired token gives an identity whose principal is the
 * token's {@link Principal} and whose roles are every scope it grants; anything else fails with
 * {@link AuthenticationFailedException} (401).
 */
@ApplicationScoped
public class TokenIdentityProvider implements IdentityProvider<TokenAuthenticationRequest> {

    private final TokenAuthenticator tokens;

    @Inject
    public TokenIdentityProvider(TokenAuthenticator tokens) {
        this.tokens = tokens;
    }

    @Override
    public Class<TokenAuthenticationRequest> getRequestType() {
        return TokenAuthenticationRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(TokenAuthenticationRequest request,
                                              AuthenticationRequestContext context) {
        return tokens.authenticate(request.getToken().getToken()).map(found -> found
                .map(TokenIdentityProvider::identity)
                .orElseThrow(AuthenticationFailedException::new));
    }

    static SecurityIdentity identity(Principal principal) {
        return QuarkusSecurityIdentity.builder().setPrincipal(principal).addRoles(principal.roles()).build();
    }
}
