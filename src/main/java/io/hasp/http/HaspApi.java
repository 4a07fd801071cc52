package io.hasp.http;

import jakarta.ws.rs.core.Application;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.enums.SecuritySchemeType;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.security.SecurityRequirement;
import org.eclipse.microprofile.openapi.annotations.security.SecurityScheme;

/**
 * The HTTP API as a whole, for its OpenAPI document: every {@code /v1/**} operation needs a bearer token
 * ({@code Authorization: Bearer <token>}, tokens from {@code /v1/tokens}). Declares no resources of its own: Quarkus
 * REST serves every resource it finds.
 */
@OpenAPIDefinition(info = @Info(title = "Hasp", version = "1"),
        security = @SecurityRequirement(name = HaspApi.BEARER))
@SecurityScheme(securitySchemeName = HaspApi.BEARER, type = SecuritySchemeType.HTTP, scheme = "bearer",
        description = "An API token: the bootstrap admin token or one created with POST /v1/tokens. Its scopes "
                + "(read, write, admin) are the roles each operation names.")
public class HaspApi extends Application {

    /** Name of the security scheme. */
    public static final String BEARER = "bearer";
}
