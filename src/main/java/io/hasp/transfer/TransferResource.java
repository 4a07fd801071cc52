package io.hasp.transfer;

import java.util.Map;

import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.hasp.http.ProblemException;
import jakarta.annotation.security.RolesAllowed;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** {@code /v1/admin/export} and {@code /v1/admin/import} (admin), as API.md describes them. Thin over the service. */
@Path("/v1/admin")
@Tag(name = "Export and import", description = "Every record as JSON lines, to move between backends or back up "
        + "(admin scope)")
@RolesAllowed(Role.ADMIN)
public class TransferResource {

    /** The media type of exports and imports: one JSON object per line. */
    public static final String NDJSON = "application/x-ndjson";

    static final String LINES = """
            {"kind":"queue","id":"builds","record":{"id":"builds","name":"Nightly builds","version":1788000000000001,\
            "createdAt":"2026-01-31T10:00:00Z","updatedAt":"2026-01-31T10:05:00Z","commands":[]}}
            {"kind":"credential","id":"registry","record":{"name":"registry","value":"s3cr3t",\
            "updatedAt":"2026-01-31T10:00:00Z"}}""";

    private final RecordTransfer transfer;

    @Inject
    public TransferResource(RecordTransfer transfer) {
        this.transfer = transfer;
    }

    @GET
    @Path("export")
    @Produces(NDJSON)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    @Operation(summary = "Export every record", description = "One JSON object per line, {kind, id, record}, streamed: "
            + "queues, bookmarks, groups, file-changes (session records), tokens (hashed, as stored), credentials "
            + "(values in clear: store the export as a secret).")
    @APIResponse(responseCode = "200", description = "OK", content = @Content(mediaType = NDJSON,
            examples = @ExampleObject(name = "lines", value = LINES)))
    public Multi<TransferLine> export() {
        return transfer.export();
    }

    @POST
    @Path("import")
    @Consumes({NDJSON, MediaType.TEXT_PLAIN})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import records", description = "Lines as the export writes them, all or nothing. mode=merge "
            + "(default) refuses a record that exists (409, naming it); mode=replace replaces it. Versions are kept "
            + "(raised above the stored one when needed). The file-change index is rebuilt afterwards.")
    @RequestBody(content = @Content(mediaType = NDJSON, examples = @ExampleObject(name = "lines", value = LINES)))
    @APIResponse(responseCode = "200", description = "Imported", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "imported",
            value = "{\"imported\": 2}")))
    @APIResponse(responseCode = "400", description = "A line is not a valid record; nothing imported")
    @APIResponse(responseCode = "409", description = "mode=merge and a record exists; nothing imported")
    public Uni<Map<String, Integer>> importAll(@QueryParam("mode") String mode, String body) {
        boolean replace;
        if (mode == null || mode.equals("merge")) {
            replace = false;
        } else if (mode.equals("replace")) {
            replace = true;
        } else {
            throw ProblemException.badRequest("invalid-request", "mode must be merge or replace");
        }
        return transfer.importAll(body, replace).map(n -> Map.of("imported", n));
    }
}
