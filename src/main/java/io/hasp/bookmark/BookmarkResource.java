package io.hasp.bookmark;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
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

import io.hasp.http.IfMatch;
import io.hasp.http.RecordAnswers;
import io.hasp.http.SafeName;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/bookmarks}, as API.md describes it. */
@Path("/v1/bookmarks")
@Tag(name = "Bookmarks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class BookmarkResource {

    static final String EXAMPLE = "{\"id\": \"docs\", \"title\": \"Docs\", \"target\": \"https://example.com/docs\", "
            + "\"tags\": [\"ref\"], \"version\": 1, \"createdAt\": \"2026-01-31T10:00:00Z\", "
            + "\"updatedAt\": \"2026-01-31T10:00:00Z\"}";
    static final String REQUEST = "{\"id\": \"docs\", \"title\": \"Docs\", \"target\": \"https://example.com/docs\", "
            + "\"tags\": [\"ref\"]}";

    private static final RecordAnswers<Bookmark> ANSWERS = new RecordAnswers<>("/v1/bookmarks", "bookmark");

    @Inject
    BookmarkRepository bookmarks;

    @POST
    @Operation(summary = "Create a bookmark", description = "409 when the id exists.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "create", value = REQUEST)))
    @APIResponse(responseCode = "201", description = "Created", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "bookmark", value = EXAMPLE)))
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Bookmark>> create(@Valid @NotNull BookmarkRequest body) {
        return bookmarks.create(body).map(b -> ANSWERS.created(b.id(), b));
    }

    @GET
    @Operation(summary = "List bookmarks")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "bookmarks", value = "{\"bookmarks\": [" + EXAMPLE + "]}")))
    @RolesAllowed(Role.READ)
    public Uni<BookmarkList> list() {
        return bookmarks.list().map(BookmarkList::new);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a bookmark", description = "Served with ETag: \"<version>\".")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "bookmark", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown bookmark")
    @RolesAllowed(Role.READ)
    public Uni<RestResponse<Bookmark>> get(@PathParam("id") @SafeName String id) {
        return bookmarks.get(id).map(found -> ANSWERS.found(id, found));
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Save a bookmark", description = "Create (201) or replace (200).")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "save", value = REQUEST)))
    @APIResponse(responseCode = "200", description = "Replaced", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "bookmark", value = EXAMPLE)))
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "412", description = "If-Match names another version")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Bookmark>> save(@PathParam("id") @SafeName String id, @Valid @NotNull BookmarkRequest body,
                                            @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return bookmarks.save(id, body, IfMatch.parse(ifMatch)).map(saved -> ANSWERS.saved(id, saved));
    }

    @PATCH
    @Path("{id}")
    @Operation(summary = "Update a bookmark", description = "Members present are changed.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "retitle", value = "{\"title\": \"Manual\"}")))
    @APIResponse(responseCode = "200", description = "Updated", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "bookmark", value = EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown bookmark")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Bookmark>> update(@PathParam("id") @SafeName String id, @Valid @NotNull BookmarkPatch body,
                                              @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return bookmarks.update(id, body, IfMatch.parse(ifMatch)).map(ANSWERS::ok);
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a bookmark")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown bookmark")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") @SafeName String id,
                                          @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return bookmarks.delete(id, IfMatch.parse(ifMatch)).map(existed -> ANSWERS.deleted(id, existed));
    }
}
