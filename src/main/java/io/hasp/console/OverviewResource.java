package io.hasp.console;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.hasp.http.ProblemMapper;
import io.hasp.token.Principal;
import io.hasp.token.Scope.Role;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /v1/overview}: what the console ({@code /console}) shows, for any token with the {@code read} scope.
 * {@code GET /v1/locks} stays admin-only; this answer lists the same locked names and holders, which carry no lock
 * id, so a read token learns nothing that renews or releases a lock.
 */
@Path("/v1/overview")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Console", description = "What the operator's console at /console shows")
public class OverviewResource {

    private static final String PROBLEM = ProblemMapper.PROBLEM_JSON;
    private static final String EXAMPLE = """
            {"generatedAt": "2026-01-01T00:00:10Z", "scopes": ["read"],
             "locks": [{"name": "orders", "locked": true, "holders": [{"type": "exclusive",
               "fencingToken": 1767225600000001, "acquiredAt": "2026-01-01T00:00:00Z",
               "expiresAt": "2026-01-01T00:00:30Z", "hostname": "hasp-1", "pid": 1}]}],
             "queues": [{"id": "builds", "name": "Nightly builds", "version": 7, "total": 4, "pending": 2,
               "running": 1, "completed": 1, "failed": 0, "oldestPendingAt": "2026-01-01T00:00:04Z",
               "oldestPendingAgeMs": 6000}],
             "groups": [{"id": "deploys", "name": "Deploys", "version": 3, "updatedAt": "2026-01-01T00:00:08Z",
               "sessionCount": 1, "sessions": [{"sessionId": "s1", "status": "active",
               "updatedAt": "2026-01-01T00:00:08Z"}]}],
             "sweeper": {"finishedAt": "2026-01-01T00:00:09Z", "staleLocksRemoved": 1, "staleHoldersRemoved": 0,
               "expiredLeasesRemoved": 1, "tempFilesRemoved": 0, "claimsReleased": 0, "lockFilesScanned": 12,
               "busySkipped": 0, "namedHolders": 1},
             "readiness": {"status": "UP", "checks": [{"name": "data-dir", "status": "UP"}]}}""";

    @Inject
    OverviewService overview;

    @Inject
    SecurityIdentity caller;

    @GET
    @Operation(summary = "Everything the console shows (read)", description = "Locked names with their holders (never "
            + "a lock id), queues with counts by status and the age of the oldest pending command, groups and their "
            + "sessions, this replica's last sweeper run and its readiness, and the caller's scopes.")
    @APIResponse(responseCode = "200", description = "the overview", content = @Content(
            mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Overview.class),
            examples = @ExampleObject(name = "overview", value = EXAMPLE)))
    @APIResponse(responseCode = "401", description = "no valid bearer token", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "403", description = "the token lacks the read scope",
            content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "503", description = "reason error: the lock state could not be read",
            content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.READ)
    public Uni<Overview> get() {
        return overview.overview(Principal.of(caller));
    }
}
