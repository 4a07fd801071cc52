package io.hasp.group;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
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

import com.fasterxml.jackson.databind.node.ObjectNode;

import io.hasp.http.IfMatch;
import io.hasp.http.RecordAnswers;
import io.hasp.http.SafeName;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/groups}, as API.md describes it. */
@Path("/v1/groups")
@Tag(name = "Groups", description = "Groups of sessions")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class GroupResource {

    static final String EXAMPLE = "{\"id\": \"release\", \"name\": \"Release 1.2\", \"version\": 4, \"createdAt\": "
            + "\"2026-01-31T10:00:00Z\", \"updatedAt\": \"2026-01-31T10:07:00Z\", \"sessions\": [{\"sessionId\": "
            + "\"s1\", \"status\": \"running\", \"updatedAt\": \"2026-01-31T10:07:00Z\", \"host\": \"build-3\"}]}";

    private static final RecordAnswers<Group> ANSWERS = new RecordAnswers<>("/v1/groups", "group");

    @Inject
    GroupRepository groups;

    @POST
    @Operation(summary = "Create a group", description = "409 when the id exists.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "create",
            value = "{\"id\": \"release\", \"name\": \"Release 1.2\", \"sessions\": []}")))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "group", value = EXAMPLE)))
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Group>> create(@Valid @NotNull GroupRequest body) {
        return groups.create(body).map(g -> ANSWERS.created(g.id(), g));
    }

    @GET
    @Operation(summary = "List groups")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "groups", value = "{\"groups\": [" + EXAMPLE + "]}")))
    @RolesAllowed(Role.READ)
    public Uni<GroupList> list() {
        return groups.list().map(GroupList::new);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a group", description = "Served with ETag: \"<version>\".")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "group", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown group")
    @RolesAllowed(Role.READ)
    public Uni<RestResponse<Group>> get(@PathParam("id") @SafeName String id) {
        return groups.get(id).map(found -> ANSWERS.found(id, found));
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Save a group", description = "Create (201) or replace (200) the whole group.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "save",
            value = "{\"name\": \"Release 1.2\", \"sessions\": [{\"sessionId\": \"s1\", \"status\": \"queued\"}]}")))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "group", value = EXAMPLE)))
    @APIResponse(responseCode = "201", description = "Created")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Group>> save(@PathParam("id") @SafeName String id, @Valid @NotNull GroupRequest body,
                                         @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return groups.save(id, body, IfMatch.parse(ifMatch)).map(saved -> ANSWERS.saved(id, saved));
    }

    @PUT
    @Path("{id}/sessions/{sessionId}")
    @Operation(summary = "Insert or update one session", description = "Other sessions of the group are untouched;"
            + " members other than status are kept as sent.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "running",
            value = "{\"status\": \"running\", \"host\": \"build-3\"}")))
    @APIResponse(responseCode = "200", description = "The group", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "group", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown group")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Group>> updateSession(@PathParam("id") @SafeName String id,
                                                  @PathParam("sessionId") @SafeName String sessionId,
                                                  @NotNull ObjectNode body, @HeaderParam(IfMatch.HEADER) String ifMatch) {
        ObjectNode fields = body.deepCopy();
        fields.put("sessionId", sessionId);
        fields.remove("updatedAt");
        Session update = Session.fromJson(fields);
        return groups.updateSession(id, update, IfMatch.parse(ifMatch)).map(ANSWERS::ok);
    }

    @DELETE
    @Path("{id}/sessions/{sessionId}")
    @Operation(summary = "Remove one session")
    @APIResponse(responseCode = "200", description = "The group", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "group", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown group or session")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Group>> removeSession(@PathParam("id") @SafeName String id,
                                                  @PathParam("sessionId") @SafeName String sessionId,
                                                  @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return groups.removeSession(id, sessionId, IfMatch.parse(ifMatch)).map(ANSWERS::ok);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a group")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown group")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") @SafeName String id,
                                          @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return groups.delete(id, IfMatch.parse(ifMatch)).map(existed -> ANSWERS.deleted(id, existed));
    }
}
