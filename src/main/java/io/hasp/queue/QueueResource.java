package io.hasp.queue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
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

import io.hasp.HaspConfig;
import io.hasp.ValidationException;
import io.hasp.http.IfMatch;
import io.hasp.http.RecordAnswers;
import io.hasp.http.RecordCollection;
import io.hasp.http.RecordResource;
import io.hasp.http.SafeName;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/**
 * {@code /v1/queues}: queues of commands and their claims, as API.md describes them: the operations of
 * {@link RecordResource} and the commands'. Thin over the repository.
 */
@Path(QueueResource.PATH)
@Tag(name = "Queues", description = "Queues of commands drained by runners")
public class QueueResource extends RecordResource<Queue, CreateQueueRequest, QueueList> {

    static final String PATH = "/v1/queues";

    static final String QUEUE_EXAMPLE = """
            {"id": "builds", "name": "Nightly builds", "version": 3, "createdAt": "2026-01-31T10:00:00Z",
             "updatedAt": "2026-01-31T10:05:00Z", "commands": [{"id": "c1", "command": "make all",
             "payload": {"branch": "main"}, "status": "pending", "createdAt": "2026-01-31T10:05:00Z",
             "updatedAt": "2026-01-31T10:05:00Z"}]}""";
    static final String COMMAND_EXAMPLE = """
            {"id": "c1", "command": "make all", "payload": {"branch": "main"}, "status": "running",
             "createdAt": "2026-01-31T10:05:00Z", "updatedAt": "2026-01-31T10:06:00Z", "claimedBy": "runner-7",
             "claimExpiresAt": "2026-01-31T10:06:30Z"}""";

    /** The queues and their examples; a list shows summaries. */
    public static final RecordCollection COLLECTION = new RecordCollection(PATH, "queue", QUEUE_EXAMPLE,
            "{\"queues\": [{\"id\": \"builds\", \"name\": \"Nightly builds\", \"version\": 3, \"createdAt\": "
                    + "\"2026-01-31T10:00:00Z\", \"updatedAt\": \"2026-01-31T10:05:00Z\", \"commands\": 1, "
                    + "\"pending\": 1, \"running\": 0}]}", "Summaries without the commands.",
            "{\"id\": \"builds\", \"name\": \"Nightly builds\"}", null);

    @Inject
    HaspConfig config;

    private final QueueRepository queues;

    @Inject
    public QueueResource(QueueRepository queues) {
        super(COLLECTION, queues, Queue::id, Queue::version, QueueResource::summaries);
        this.queues = queues;
    }

    private static QueueList summaries(List<Queue> all) {
        return new QueueList(all.stream().map(QueueSummary::of).toList());
    }

    @POST
    @Path("{id}/commands")
    @Operation(summary = "Append a command", description = "The new command is pending, at the end of the queue.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "command",
            value = "{\"command\": \"make all\", \"payload\": {\"branch\": \"main\"}}")))
    @APIResponse(responseCode = "201", description = "Appended", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "command", value = """
            {"id": "c1", "command": "make all", "payload": {"branch": "main"}, "status": "pending",
             "createdAt": "2026-01-31T10:05:00Z", "updatedAt": "2026-01-31T10:05:00Z"}""")))
    @APIResponse(responseCode = "404", description = "Unknown queue")
    @APIResponse(responseCode = "409", description = "The command id exists in this queue")
    @APIResponse(responseCode = "422", description = "The queue is full (hasp.limits.queue-commands)")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Command>> addCommand(@PathParam("id") @SafeName String id,
                                                 @Valid @NotNull NewCommandRequest body,
                                                 @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return queues.addCommand(id, body, IfMatch.parse(ifMatch))
                .map(c -> RecordAnswers.createdAt(URI.create(answers.location(id) + "/commands/" + c.id()), c));
    }

    @PATCH
    @Path("{id}/commands/{commandId}")
    @Operation(summary = "Update a command", description = "Partial: members present are changed. Setting status "
            + "completed or failed ends a claim; setting status pending requeues the command (the console's "
            + "requeue): its claim is forgotten, so the runner that held it can no longer complete it with its "
            + "runnerId. With runnerId, the command must be claimed by that runner (409).")
    @RequestBody(content = @Content(examples = {@ExampleObject(name = "complete",
            value = "{\"status\": \"completed\", \"result\": {\"exitCode\": 0}, \"runnerId\": \"runner-7\"}"),
            @ExampleObject(name = "requeue", value = "{\"status\": \"pending\"}")}))
    @APIResponse(responseCode = "200", description = "Updated", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "command", value = COMMAND_EXAMPLE)))
    @APIResponse(responseCode = "404", description = "Unknown queue or command")
    @RolesAllowed(Role.WRITE)
    public Uni<Command> updateCommand(@PathParam("id") @SafeName String id,
                                      @PathParam("commandId") @SafeName String commandId,
                                      @Valid @NotNull CommandPatch body, @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return queues.updateCommand(id, commandId, body, IfMatch.parse(ifMatch));
    }

    @DELETE
    @Path("{id}/commands/{commandId}")
    @Operation(summary = "Remove a command")
    @APIResponse(responseCode = "204", description = "Removed")
    @APIResponse(responseCode = "404", description = "Unknown queue or command")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> removeCommand(@PathParam("id") @SafeName String id,
                                                 @PathParam("commandId") @SafeName String commandId,
                                                 @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return queues.removeCommand(id, commandId, IfMatch.parse(ifMatch)).map(q -> RestResponse.noContent());
    }

    @POST
    @Path("{id}/commands/{commandId}/move")
    @Operation(summary = "Move a command", description = "To the 0-based position; answers the queue.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "first", value = "{\"position\": 0}")))
    @APIResponse(responseCode = "200", description = "Moved", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "queue", value = QUEUE_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "Position out of range")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Queue>> moveCommand(@PathParam("id") @SafeName String id,
                                                @PathParam("commandId") @SafeName String commandId,
                                                @Valid @NotNull MoveRequest body,
                                                @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return queues.moveCommand(id, commandId, body.position(), IfMatch.parse(ifMatch)).map(answers::ok);
    }

    @POST
    @Path("{id}/claim")
    @Operation(summary = "Claim the next pending command", description = "The first pending command becomes "
            + "running, claimed by runnerId until claimExpiresAt; two runners never get the same command. "
            + "A claim not completed in time goes back to pending.")
    @RequestBody(content = @Content(examples = @ExampleObject(name = "claim",
            value = "{\"runnerId\": \"runner-7\", \"leaseMs\": 30000}")))
    @APIResponse(responseCode = "200", description = "Claimed", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, examples = @ExampleObject(name = "command", value = COMMAND_EXAMPLE)))
    @APIResponse(responseCode = "204", description = "Nothing is pending")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Command>> claim(@PathParam("id") @SafeName String id, @Valid @NotNull ClaimRequest body) {
        Duration lease = body.leaseMs() == null ? config.lease().defaultLease() : Duration.ofMillis(body.leaseMs());
        if (lease.compareTo(config.lease().max()) > 0) {
            throw new ValidationException("leaseMs must be at most " + config.lease().max().toMillis());
        }
        return queues.claim(id, body.runnerId(), lease)
                .map(claimed -> claimed.map(RestResponse::ok).orElseGet(RestResponse::noContent));
    }
}
