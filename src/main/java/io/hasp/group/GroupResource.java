package io.hasp.group;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
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
import io.hasp.http.RecordCollection;
import io.hasp.http.SafeName;
import io.hasp.http.SavableRecordResource;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/groups}, as API.md describes it: the operations of {@link SavableRecordResource} and its sessions'. */
@Path(GroupResource.PATH)
@Tag(name = "Groups", description = "Groups of sessions")
public class GroupResource extends SavableRecordResource<Group, GroupRequest, GroupList> {

    static final String PATH = "/v1/groups";
    static final String EXAMPLE = "{\"id\": \"release\", \"name\": \"Release 1.2\", \"version\": 4, \"createdAt\": "
            + "\"2026-01-31T10:00:00Z\", \"updatedAt\": \"2026-01-31T10:07:00Z\", \"sessions\": [{\"sessionId\": "
            + "\"s1\", \"status\": \"running\", \"updatedAt\": \"2026-01-31T10:07:00Z\", \"host\": \"build-3\"}]}";

    /** The groups and their examples. */
    public static final RecordCollection COLLECTION = new RecordCollection(PATH, "group", EXAMPLE,
            "{\"groups\": [" + EXAMPLE + "]}", null,
            "{\"id\": \"release\", \"name\": \"Release 1.2\", \"sessions\": []}",
            "{\"name\": \"Release 1.2\", \"sessions\": [{\"sessionId\": \"s1\", \"status\": \"queued\"}]}");

    private final GroupRepository groups;

    @Inject
    public GroupResource(GroupRepository groups) {
        super(COLLECTION, groups, Group::id, Group::version, GroupList::new);
        this.groups = groups;
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
        return groups.updateSession(id, update, IfMatch.parse(ifMatch)).map(answers::ok);
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
        return groups.removeSession(id, sessionId, IfMatch.parse(ifMatch)).map(answers::ok);
    }
}
