package io.hasp.filechange;

import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.hasp.http.SafeName;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/** {@code /v1/file-changes}, as API.md describes it. */
@Path("/v1/file-changes")
@Tag(name = "File changes", description = "Which session changed which file")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class FileChangeResource {

    /** Body of the session answers. */
    public record SessionView(String sessionId, List<FileChange> changes) {
    }

    /** Body of the query by path. */
    public record PathView(String path, List<IndexEntry> sessions) {
    }

    static final String SESSION_EXAMPLE = "{\"sessionId\": \"s1\", \"changes\": [{\"path\": \"src/App.java\", "
            + "\"kind\": \"modified\", \"at\": \"2026-01-31T10:00:00Z\"}]}";

    private final FileChangeIndex index;

    @Inject
    public FileChangeResource(FileChangeIndex index) {
        this.index = index;
    }

    @POST
    @Path("sessions/{sessionId}")
    @Operation(summary = "Merge a session's changes", description = "Incremental: other sessions' entries are kept.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "changes", value = "{\"changes\": [{\"path\": "
            + "\"src/App.java\", \"kind\": \"modified\"}]}")))
    @APIResponse(responseCode = "200", description = "The session's changes", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "session", value = SESSION_EXAMPLE)))
    @APIResponse(responseCode = "422", description = "The index would pass hasp.limits.file-change-index-entries")
    @RolesAllowed(Role.WRITE)
    public Uni<SessionView> merge(@PathParam("sessionId") @SafeName String sessionId,
                                  @Valid @NotNull ChangesRequest body) {
        return index.merge(sessionId, body.changes())
                .map(record -> new SessionView(record.sessionId(), record.changes()));
    }

    @GET
    @Path("sessions/{sessionId}")
    @Operation(summary = "A session's changes")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "session", value = SESSION_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "No changes recorded for that session")
    @RolesAllowed(Role.READ)
    public Uni<SessionView> session(@PathParam("sessionId") @SafeName String sessionId) {
        return index.session(sessionId).map(found -> found
                .map(record -> new SessionView(record.sessionId(), record.changes()))
                .orElseThrow(() -> new RecordNotFoundException("no changes recorded for session " + sessionId)));
    }

    @GET
    @Operation(summary = "Sessions that changed a path")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "path", value = "{\"path\": \"src/App.java\", \"sessions\": "
                    + "[{\"sessionId\": \"s1\", \"kind\": \"modified\", \"at\": \"2026-01-31T10:00:00Z\"}]}")))
    @APIResponse(responseCode = "400", description = "path missing")
    @RolesAllowed(Role.READ)
    public Uni<PathView> byPath(@QueryParam("path") @NotBlank String path) {
        return index.byPath(path).map(entries -> new PathView(path, entries));
    }

    @POST
    @Path("rebuild")
    @RolesAllowed(Role.ADMIN)
    @Operation(summary = "Rebuild the index", description = "From the per-session records (admin).")
    @APIResponse(responseCode = "200", description = "Rebuilt", content = @Content(
            mediaType = MediaType.APPLICATION_JSON,
            examples = @ExampleObject(name = "rebuilt", value = "{\"sessions\": 3, \"paths\": 41}")))
    public Uni<FileChangeIndex.Rebuilt> rebuild() {
        return index.rebuild();
    }
}
