package io.hasp.http;

import java.lang.reflect.Method;
import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import io.hasp.token.Principal;
import io.hasp.token.Scope;
import io.hasp.token.TokenManager;
import io.smallrye.mutiny.Uni;

/**
 * Bearer-token authentication and scope checks for every {@code /v1/**} resource. Missing, unknown, expired or
 * revoked token: 401 with {@code WWW-Authenticate: Bearer}. Token without the needed scope: 403. The needed scope
 * is {@link RequiresScope} on the method or its class, else {@code read} for GET/HEAD and {@code write} otherwise.
 * Runs after matching (it needs the resource method), so unknown paths answer 404 without a token.
 */
public class BearerAuthFilter {

    /** Request property under which the authenticated {@link Principal} is kept. */
    public static final String PRINCIPAL = "hasp.principal";

    private static final String BEARER = "Bearer ";

    private final TokenManager tokens;

    @Inject
    public BearerAuthFilter(TokenManager tokens) {
        this.tokens = tokens;
    }

    @ServerRequestFilter
    public Uni<Response> authenticate(ContainerRequestContext request, ResourceInfo resource) {
        String path = request.getUriInfo().getPath();
        if (!path.startsWith("/v1/") && !path.equals("/v1")) {
            return Uni.createFrom().nullItem();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return Uni.createFrom().failure(unauthorized("a bearer token is required"));
        }
        String token = header.substring(BEARER.length()).trim();
        Scope needed = needed(request.getMethod(), resource);
        return tokens.authenticate(token).map(principal -> {
            Principal who = principal.orElseThrow(() -> unauthorized("the token is unknown, expired or revoked"));
            if (!who.may(needed)) {
                throw new ProblemException(403, "forbidden", "the token lacks the " + needed.wireName() + " scope");
            }
            request.setProperty(PRINCIPAL, who);
            return null;
        });
    }

    /** The principal this filter authenticated for {@code request} (every {@code /v1/**} request has one). */
    public static Principal principal(ContainerRequestContext request) {
        Object who = request.getProperty(PRINCIPAL);
        if (who instanceof Principal principal) {
            return principal;
        }
        throw new IllegalStateException("no authenticated principal on this request");
    }

    private static ProblemException unauthorized(String detail) {
        return new ProblemException(401, "unauthorized", detail, Map.of(), Map.of("WWW-Authenticate", "Bearer"));
    }

    static Scope needed(String method, ResourceInfo resource) {
        Method m = resource != null ? resource.getResourceMethod() : null;
        if (m != null) {
            RequiresScope onMethod = m.getAnnotation(RequiresScope.class);
            if (onMethod != null) {
                return onMethod.value();
            }
            RequiresScope onClass = resource.getResourceClass().getAnnotation(RequiresScope.class);
            if (onClass != null) {
                return onClass.value();
            }
        }
        return "GET".equals(method) || "HEAD".equals(method) ? Scope.READ : Scope.WRITE;
    }
}
