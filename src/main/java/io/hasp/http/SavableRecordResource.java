package io.hasp.http;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.hasp.storage.KeyedRecords;
import io.hasp.storage.RecordDraft;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/**
 * A {@link RecordResource} whose records a {@code PUT {id}} saves (API.md): it creates the record (201, as a
 * {@code POST} does) or replaces it whole (200), with the body of a create; 412 when {@code If-Match} names another
 * version.
 *
 * @param <T> the record type, a {@link io.hasp.storage.Versioned} one
 * @param <D> the body of a create and of a save
 * @param <L> the answer of a list
 */
public abstract class SavableRecordResource<T, D extends RecordDraft<T>, L>
        extends RecordResource<T, D, L> {

    protected SavableRecordResource(RecordCollection collection, KeyedRecords<T> records, Function<T, String> id,
                                    ToLongFunction<T> version, Function<List<T>, L> list) {
        super(collection, records, id, version, list);
    }

    @PUT
    @Path("{id}")
    @Operation(summary = "Save a record", description = "Create (201) or replace (200) the whole record.")
    @APIResponse(responseCode = "200", description = "Replaced")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "412", description = "If-Match names another version")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<T>> save(@PathParam("id") @SafeName String id, @Valid @NotNull D body,
                                     @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return records.save(id, body, IfMatch.parse(ifMatch)).map(saved -> answers.saved(id, saved));
    }
}
