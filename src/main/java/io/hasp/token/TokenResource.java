package io.hasp.token;

import java.net.URI;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestResponse;

import io.hasp.http.RecordAnswers;
import io.hasp.http.SafeName;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/tokens} (admin only): create, list and revoke API tokens. */
@Path("/v1/tokens")
@Tag(name = "Tokens", description = "API tokens (admin scope)")
@RolesAllowed(Role.ADMIN)
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class TokenResource {

    @Inject
    TokenRepository tokens;

    @POST
    @Operation(summary = "Create a token", description = "The secret `token` is shown in this answer only.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "runner",
            value = "{\"name\": \"ci-runner\", \"scopes\": [\"read\", \"write\"], \"expiresAt\": "
                    + "\"2027-01-01T00:00:00Z\"}")))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "created", value = "{\"id\": "
            + "\"3f2a9c1d0b7e4a55\", \"name\": \"ci-runner\", \"scopes\": [\"read\", \"write\"], \"createdAt\": "
            + "\"2026-01-31T10:00:00Z\", \"expiresAt\": \"2027-01-01T00:00:00Z\", \"token\": "
            + "\"hasp_3f2a9c1d0b7e4a55_x8Jq...\"}")))
    public Uni<RestResponse<CreatedToken>> create(@Valid @NotNull CreateTokenRequest body) {
        return tokens.create(body).map(t -> RecordAnswers.createdAt(URI.create("/v1/tokens/" + t.id()), t));
    }

    @GET
    @Operation(summary = "List tokens", description = "Without secrets.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "tokens", value = "{\"tokens\": [{\"id\": \"3f2a9c1d0b7e4a55\", "
                    + "\"name\": \"ci-runner\", \"scopes\": [\"read\", \"write\"], \"createdAt\": "
                    + "\"2026-01-31T10:00:00Z\"}]}")))
    public Uni<TokenList> list() {
        return tokens.list().map(TokenList::new);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Revoke a token", description = "Every replica rejects it within a second.")
    @APIResponse(responseCode = "204", description = "Revoked")
    @APIResponse(responseCode = "404", description = "Unknown token")
    public Uni<RestResponse<Void>> revoke(@PathParam("id") @SafeName String id) {
        return tokens.revoke(id).map(ignored -> RestResponse.noContent());
    }
}
