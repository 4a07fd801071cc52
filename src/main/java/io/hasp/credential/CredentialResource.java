package io.hasp.credential;

import java.net.URI;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
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

/** {@code /v1/credentials}, as API.md describes it. Values go in, and come out only through the admin export. */
@Path("/v1/credentials")
@Tag(name = "Credentials", description = "Secrets in a 0600 file; values are never echoed")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class CredentialResource {

    @Inject
    CredentialRepository credentials;

    @PUT
    @Path("{name}")
    @Operation(summary = "Set a credential", description = "201 when created, 200 when replaced; the value is "
            + "never echoed.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "set",
            value = "{\"value\": \"s3cr3t\", \"description\": \"registry password\"}")))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "saved",
            value = "{\"name\": \"registry\", \"created\": false}")))
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "422", description = "A new name past hasp.limits.credentials")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Map<String, Object>>> put(@PathParam("name") @SafeName String name,
                                                      @Valid @NotNull CredentialRequest body) {
        return credentials.put(name, body).map(created -> {
            Map<String, Object> answer = Map.of("name", name, "created", created);
            return created ? RecordAnswers.createdAt(URI.create("/v1/credentials/" + name), answer)
                    : RestResponse.ok(answer);
        });
    }

    @GET
    @Operation(summary = "List credentials", description = "Names and descriptions, never values.")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "credentials", value = "{\"credentials\": [{\"name\": \"registry\", "
                    + "\"description\": \"registry password\", \"updatedAt\": \"2026-01-31T10:00:00Z\"}]}")))
    @RolesAllowed(Role.READ)
    public Uni<CredentialList> list() {
        return credentials.list().map(CredentialList::new);
    }

    @DELETE
    @Path("{name}")
    @Operation(summary = "Delete a credential")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown credential")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> delete(@PathParam("name") @SafeName String name) {
        return credentials.delete(name).map(ignored -> RestResponse.noContent());
    }

    @POST
    @Path("import")
    @RolesAllowed(Role.ADMIN)
    @Operation(summary = "Import credentials", description = "All or nothing; merge (default) or replace (admin).")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "import", value = "{\"credentials\": "
            + "[{\"name\": \"registry\", \"value\": \"s3cr3t\"}], \"mode\": \"merge\"}")))
    @APIResponse(responseCode = "200", description = "Imported", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "imported",
            value = "{\"imported\": 1}")))
    @APIResponse(responseCode = "422", description = "The result would pass hasp.limits.credentials; nothing imported")
    public Uni<Map<String, Integer>> importAll(@Valid @NotNull ImportRequest body) {
        return credentials.importAll(body).map(n -> Map.of("imported", n));
    }

    @GET
    @Path("export")
    @RolesAllowed(Role.ADMIN)
    @Operation(summary = "Export credentials", description = "With values (admin).")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "export", value = "{\"credentials\": [{\"name\": \"registry\", "
                    + "\"value\": \"s3cr3t\", \"description\": \"registry password\"}]}")))
    public Uni<CredentialExport> export() {
        return credentials.exportAll().map(CredentialExport::new);
    }
}
