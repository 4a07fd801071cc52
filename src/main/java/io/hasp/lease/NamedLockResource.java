package io.hasp.lease;

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
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestResponse;

import io.hasp.http.ProblemException;
import io.hasp.http.ProblemMapper;
import io.hasp.http.SafeName;
import io.hasp.ops.LockMetrics;
import io.hasp.token.Principal;
import io.hasp.token.Scope.Role;
import io.hasp.token.TokenAuthenticator;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;

/**
 * Named locks over HTTP (API.md, "Named locks"). Thin: checks names, hands the rest to {@link LockBackend}.
 * Bodies are optional: {@link BodilessPostFilter} lets a POST without {@code Content-Type} in.
 * Every method returns a {@link Uni} and runs on the event loop; the engine does its file work on the worker pool
 * and waits between attempts with timers, so a waiting acquire holds no thread.
 */
@Path("/v1/locks")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Named locks", description = "Locks lent to other services: leases with fencing tokens")
public class NamedLockResource {

    private static final String NAME_DOC = "lock name: [A-Za-z0-9][A-Za-z0-9._-]{0,127}, no '..'";
    private static final String PROBLEM = ProblemMapper.PROBLEM_JSON;
    private static final String GRANT_EXAMPLE = "{\"name\":\"orders\",\"lockId\":\"3f6c1a0e9b2d4c7f8a1e2d3c4b5a6978\","
            + "\"type\":\"exclusive\",\"fencingToken\":1767225600000001,\"acquiredAt\":\"2026-01-01T00:00:00Z\","
            + "\"expiresAt\":\"2026-01-01T00:00:30Z\"}";
    private static final String BUSY_EXAMPLE = "{\"type\":\"https://hasp.io/problems/timeout\",\"title\":\"Conflict\","
            + "\"status\":409,\"detail\":\"the lock was still held when the timeout passed\",\"reason\":\"timeout\","
            + "\"pid\":4242,\"hostname\":\"worker-1\",\"since\":\"2026-01-01T00:00:00Z\"}";

    private static final Logger LOG = Logger.getLogger(NamedLockResource.class);

    @Inject
    LockBackend locks;

    @Inject
    LockMetrics metrics;

    @Inject
    TokenAuthenticator tokens;

    @Inject
    SecurityIdentity caller;

    @POST
    @Path("{name}")
    @Operation(summary = "Acquire a named lock",
            description = "Waits, without holding a server thread, until the lock is granted, the timeout passes or "
                    + "the retries run out. The grant is a lease: renew it before expiresAt or lose it.")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = AcquireOptions.class),
            examples = @ExampleObject(name = "every option", value = "{\"type\":\"exclusive\",\"timeoutMs\":30000,"
                    + "\"retryIntervalMs\":100,\"maxRetries\":10,\"leaseMs\":30000}")))
    @APIResponse(responseCode = "201", description = "granted; Location names the grant",
            content = @Content(schema = @Schema(implementation = LockGrant.class),
                    examples = @ExampleObject(name = "grant", value = GRANT_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "invalid name, body, or leaseMs above hasp.lease.max",
            content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "409", description = "reason timeout (deadline passed) or locked (retries ran out, "
            + "or timeoutMs 0 and busy), with the holder",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "busy", value = BUSY_EXAMPLE)))
    @APIResponse(responseCode = "503", description = "reason error: the lock state could not be read or written",
            content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<LockGrant>> acquire(@PathParam("name") @Parameter(description = NAME_DOC) @SafeName
                                                String name, @Valid AcquireOptions body) {
        LockName lockName = new LockName(name);
        return locks.acquire(lockName, body == null ? AcquireOptions.DEFAULTS : body).map(NamedLockResource::created);
    }

    @POST
    @Operation(summary = "Acquire several named locks, all or none",
            description = "Takes the names in sorted order (so two such calls never deadlock) with one deadline; "
                    + "if one name cannot be had, the ones already taken are released.")
    @RequestBody(required = true, content = @Content(schema = @Schema(implementation = MultiAcquireRequest.class),
            examples = @ExampleObject(name = "two", value = "{\"names\":[\"orders\",\"invoices\"],\"timeoutMs\":5000}")))
    @APIResponse(responseCode = "201", description = "every name granted, in sorted order",
            content = @Content(schema = @Schema(implementation = LockGrants.class)))
    @APIResponse(responseCode = "400", description = "invalid name or body", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "409", description = "one name was busy; none is held",
            content = @Content(mediaType = PROBLEM, examples = @ExampleObject(name = "busy", value = BUSY_EXAMPLE)))
    @APIResponse(responseCode = "503", description = "reason error", content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<LockGrants>> acquireAll(@Valid @NotNull MultiAcquireRequest body) {
        return locks.acquireAll(body.lockNames(), body.options())
                .map(grants -> RestResponse.status(RestResponse.Status.CREATED, grants));
    }

    @POST
    @Path("{name}/{lockId}/renew")
    @Operation(summary = "Renew a lease", description = "Extends the lease to leaseMs from now (default "
            + "hasp.lease.default). Any replica can renew a lease granted by another.")
    @RequestBody(required = false, content = @Content(schema = @Schema(implementation = RenewRequest.class),
            examples = @ExampleObject(name = "thirty seconds", value = "{\"leaseMs\":30000}")))
    @APIResponse(responseCode = "200", description = "the grant with its new expiresAt",
            content = @Content(schema = @Schema(implementation = LockGrant.class),
                    examples = @ExampleObject(name = "grant", value = GRANT_EXAMPLE)))
    @APIResponse(responseCode = "400", description = "invalid name, lock id or leaseMs",
            content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "404", description = "not held by that lockId: expired, released or taken over",
            content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.WRITE)
    public Uni<LockGrant> renew(@PathParam("name") @Parameter(description = NAME_DOC) @SafeName String name,
                                @PathParam("lockId") @SafeName String lockId, @Valid RenewRequest body) {
        return locks.renew(new LockName(name), lockId, body == null ? RenewRequest.DEFAULTS : body);
    }

    @DELETE
    @Path("{name}/{lockId}")
    @Operation(summary = "Release a lock", description = "Any replica can release a lease granted by another.")
    @APIResponse(responseCode = "204", description = "released")
    @APIResponse(responseCode = "400", description = "invalid name or lock id", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "404", description = "not held by that lockId", content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> release(@PathParam("name") @Parameter(description = NAME_DOC) @SafeName String name,
                                           @PathParam("lockId") @SafeName String lockId) {
        return locks.release(new LockName(name), lockId).map(v -> RestResponse.noContent());
    }

    @GET
    @Path("{name}")
    @Operation(summary = "Who holds a named lock", description = "Never reveals a lockId: a lockId is a capability.")
    @APIResponse(responseCode = "200", description = "status; locked is false and holders empty when free",
            content = @Content(schema = @Schema(implementation = LockStatus.class),
                    examples = @ExampleObject(name = "held", value = "{\"name\":\"orders\",\"locked\":true,"
                            + "\"holders\":[{\"type\":\"exclusive\",\"fencingToken\":1767225600000001,"
                            + "\"acquiredAt\":\"2026-01-01T00:00:00Z\",\"expiresAt\":\"2026-01-01T00:00:30Z\","
                            + "\"hostname\":\"hasp-1\",\"pid\":1}]}")))
    @APIResponse(responseCode = "400", description = "invalid name", content = @Content(mediaType = PROBLEM))
    @RolesAllowed(Role.READ)
    public Uni<LockStatus> status(@PathParam("name") @Parameter(description = NAME_DOC) @SafeName String name) {
        return locks.status(new LockName(name));
    }

    @GET
    @RolesAllowed(Role.ADMIN)
    @Operation(summary = "Every locked name (admin)", description = "One status per name that has a live holder.")
    @APIResponse(responseCode = "200", description = "the locked names, sorted",
            content = @Content(schema = @Schema(implementation = LockStatusList.class, type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "two locks", value = "{\"locks\":[{\"name\":\"orders\","
                            + "\"locked\":true,\"holders\":[{\"type\":\"exclusive\","
                            + "\"fencingToken\":1767225600000001,\"acquiredAt\":\"2026-01-01T00:00:00Z\","
                            + "\"expiresAt\":\"2026-01-01T00:00:30Z\",\"hostname\":\"hasp-1\",\"pid\":1}]},"
                            + "{\"name\":\"reports\",\"locked\":true,\"holders\":[{\"type\":\"shared\","
                            + "\"fencingToken\":1767225600000007,\"acquiredAt\":\"2026-01-01T00:00:05Z\","
                            + "\"expiresAt\":\"2026-01-01T00:00:35Z\",\"hostname\":\"hasp-2\",\"pid\":1}]}]}")))
    @APIResponse(responseCode = "401", description = "no valid bearer token", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "403", description = "the token lacks the admin scope",
            content = @Content(mediaType = PROBLEM))
    public Uni<LockStatusList> list() {
        return locks.list();
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.ADMIN)
    @Operation(summary = "Force release a named lock (admin)", description = "Ends every grant of the name, whoever "
            + "holds it: for operators facing a stuck lock. The holders are not told; their next renew or release "
            + "answers 404, and fencing tokens protect resources from a holder that has not noticed. Logged with the "
            + "caller's token name and counted in hasp.locks.force.releases.")
    @APIResponse(responseCode = "204", description = "every grant of the name ended")
    @APIResponse(responseCode = "400", description = "invalid name", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "401", description = "no valid bearer token", content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "403", description = "the token lacks the admin scope",
            content = @Content(mediaType = PROBLEM))
    @APIResponse(responseCode = "404", description = "nothing held the name", content = @Content(mediaType = PROBLEM,
            examples = @ExampleObject(name = "not held", value = "{\"type\":\"https://hasp.io/problems/not-found\","
                    + "\"title\":\"Not Found\",\"status\":404,\"detail\":\"lock 'orders' is not held\","
                    + "\"reason\":\"not-found\"}")))
    @APIResponse(responseCode = "503", description = "reason error: the lock state could not be read or written",
            content = @Content(mediaType = PROBLEM))
    public Uni<RestResponse<Void>> forceRelease(@PathParam("name") @Parameter(description = NAME_DOC) @SafeName
                                                String name) {
        LockName lockName = new LockName(name);
        String by = tokens.nameOf(Principal.of(caller));
        return locks.forceRelease(lockName).map(held -> {
            metrics.forceReleased(held);
            if (!held) {
                LOG.infof("force release of lock '%s' by token '%s': nothing held it", lockName.value(), by);
                throw ProblemException.notFound("lock '" + lockName.value() + "' is not held");
            }
            LOG.warnf("lock '%s' force-released by token '%s': every grant ended", lockName.value(), by);
            return RestResponse.<Void>noContent();
        });
    }

    private static RestResponse<LockGrant> created(LockGrant grant) {
        URI location = URI.create("/v1/locks/" + grant.name() + "/" + grant.lockId());
        return RestResponse.ResponseBuilder.<LockGrant>created(location).entity(grant).build();
    }
}
