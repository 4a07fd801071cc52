package io.hasp.lease;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * The bodies of the named-lock POSTs are optional (API.md), but Quarkus REST answers 415 to a POST without a
 * {@code Content-Type} (or with a body-less {@code text/plain}, as some clients send) whose method takes a JSON
 * parameter. A POST under {@code /v1/locks} that names no type, or has an empty body, is therefore read as JSON:
 * empty, it means "every default"; not JSON, it is a 400 like any malformed body.
 */
public class BodilessPostFilter {

    @ServerRequestFilter(preMatching = true)
    public void defaultToJson(ContainerRequestContext request) {
        if ("POST".equals(request.getMethod()) && request.getUriInfo().getPath().startsWith("/v1/locks")
                && (request.getHeaderString(HttpHeaders.CONTENT_TYPE) == null || request.getLength() == 0)) {
            request.getHeaders().putSingle(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        }
    }
}
