package io.hasp.bookmark;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
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

import io.hasp.http.IfMatch;
import io.hasp.http.RecordCollection;
import io.hasp.http.SafeName;
import io.hasp.http.SavableRecordResource;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/bookmarks}, as API.md describes it: the operations of {@link SavableRecordResource} and a patch. */
@Path(BookmarkResource.PATH)
@Tag(name = "Bookmarks")
public class BookmarkResource extends SavableRecordResource<Bookmark, BookmarkRequest, BookmarkList> {

    static final String PATH = "/v1/bookmarks";
    static final String EXAMPLE = "{\"id\": \"docs\", \"title\": \"Docs\", \"target\": \"https://example.com/docs\", "
            + "\"tags\": [\"ref\"], \"version\": 1, \"createdAt\": \"2026-01-31T10:00:00Z\", "
            + "\"updatedAt\": \"2026-01-31T10:00:00Z\"}";
    static final String REQUEST = "{\"id\": \"docs\", \"title\": \"Docs\", \"target\": \"https://example.com/docs\", "
            + "\"tags\": [\"ref\"]}";

    /** The bookmarks and their examples. */
    public static final RecordCollection COLLECTION = new RecordCollection(PATH, "bookmark", EXAMPLE,
            "{\"bookmarks\": [" + EXAMPLE + "]}", null, REQUEST, REQUEST);

    private final BookmarkRepository bookmarks;

    @Inject
    public BookmarkResource(BookmarkRepository bookmarks) {
        super(COLLECTION, bookmarks, Bookmark::id, Bookmark::version, BookmarkList::new);
        this.bookmarks = bookmarks;
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
        return bookmarks.update(id, body, IfMatch.parse(ifMatch)).map(answers::ok);
    }
}
