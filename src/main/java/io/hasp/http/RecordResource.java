package io.hasp.http;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import io.hasp.storage.KeyedRecords;
import io.hasp.storage.RecordDraft;
import io.hasp.storage.Versioned;
import io.hasp.token.Scope.Role;
import io.smallrye.mutiny.Uni;

/**
 * What every collection of versioned records answers alike (API.md): {@code POST} creates a record (201 with
 * {@code Location} and {@code ETag}; 409 when the id exists; the id is generated when absent), {@code GET} lists
 * them, {@code GET {id}} serves one with its {@code ETag}, {@code DELETE {id}} deletes one (204; 404; 412 when
 * {@code If-Match} names another version). Reads need the {@code read} scope, changes {@code write}.
 *
 * <p>A subclass is the resource of one collection: it carries {@code @Path} and {@code @Tag}, gives its repository,
 * and adds what only its records do. The summaries and examples its operations show in the OpenAPI document come
 * from its {@link RecordCollection} ({@link io.hasp.openapi.RecordCollectionDocs}).
 *
 * @param <T> the record type, a {@link Versioned} one. Not bound in the signature: Quarkus REST gives Jackson a type
 *            variable's bound as the declared type of an answer (which then has no properties), and its resolution of
 *            a resource's type parameters recurses without end on a bound that names the parameter itself
 * @param <D> the body of a create
 * @param <L> the answer of a list
 */
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public abstract class RecordResource<T, D extends RecordDraft<T>, L> {

    /** The 201, 200, 404 and 204 answers of this collection's records. */
    protected final RecordAnswers<T> answers;
    /** The collection's records. */
    protected final KeyedRecords<T> records;
    private final Function<T, String> id;
    private final Function<List<T>, L> list;

    /**
     * @param collection the collection
     * @param records    its records (the kind's repository)
     * @param id         a record's id
     * @param version    a record's version
     * @param list       the answer of a list, from the records
     */
    protected RecordResource(RecordCollection collection, KeyedRecords<T> records, Function<T, String> id,
                             ToLongFunction<T> version, Function<List<T>, L> list) {
        this.answers = new RecordAnswers<>(collection.path(), collection.noun(), version);
        this.records = records;
        this.id = id;
        this.list = list;
    }

    @POST
    @Operation(summary = "Create a record", description = "409 when the id exists; the id is generated when absent.")
    @APIResponse(responseCode = "201", description = "Created")
    @APIResponse(responseCode = "409", description = "The id exists already")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<T>> create(@Valid @NotNull D body) {
        return records.create(body).map(created -> answers.created(id.apply(created), created));
    }

    @GET
    @Operation(summary = "List the records")
    @APIResponse(responseCode = "200", description = "OK")
    @RolesAllowed(Role.READ)
    public Uni<L> list() {
        return records.list().map(list);
    }

    @GET
    @Path("{id}")
    @Operation(summary = "Get a record", description = "Served with ETag: \"<version>\".")
    @APIResponse(responseCode = "200", description = "OK")
    @APIResponse(responseCode = "404", description = "Unknown record")
    @RolesAllowed(Role.READ)
    public Uni<RestResponse<T>> get(@PathParam("id") @SafeName String id) {
        return records.get(id).map(found -> answers.found(id, found));
    }

    @DELETE
    @Path("{id}")
    @Operation(summary = "Delete a record")
    @APIResponse(responseCode = "204", description = "Deleted")
    @APIResponse(responseCode = "404", description = "Unknown record")
    @APIResponse(responseCode = "412", description = "If-Match names another version")
    @RolesAllowed(Role.WRITE)
    public Uni<RestResponse<Void>> delete(@PathParam("id") @SafeName String id,
                                          @HeaderParam(IfMatch.HEADER) String ifMatch) {
        return records.delete(id, IfMatch.parse(ifMatch)).map(existed -> answers.deleted(id, existed));
    }
}
