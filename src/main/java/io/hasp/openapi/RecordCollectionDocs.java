package io.hasp.openapi;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.OpenAPI;
import org.eclipse.microprofile.openapi.models.Operation;
import org.eclipse.microprofile.openapi.models.PathItem;
import org.eclipse.microprofile.openapi.models.media.Content;
import org.eclipse.microprofile.openapi.models.responses.APIResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.bookmark.BookmarkResource;
import io.hasp.group.GroupResource;
import io.hasp.http.HaspApi;
import io.hasp.http.RecordCollection;
import io.hasp.http.RecordResource;
import io.hasp.http.SavableRecordResource;
import io.hasp.queue.QueueResource;

/**
 * Completes what the OpenAPI document says of the operations a {@link RecordResource} declares once for every
 * collection (registered as {@code mp.openapi.filter}): for each {@link RecordCollection}, each operation's summary
 * and 404 names its records ("Get a bookmark", "Unknown bookmark"), and its request and answer show the collection's
 * examples.
 *
 * <p>It also gives these operations their security requirement (the bearer scheme with the roles that the method's
 * {@code @RolesAllowed} names) and their 401 and 403 answers: Quarkus derives those from {@code @RolesAllowed} for
 * methods a resource class declares itself, not for the ones it inherits.
 */
// In a package of its own: it names the collections (bookmark, group, queue), which depend on io.hasp.http.
public class RecordCollectionDocs implements OASFilter {

    /** Every collection served by a {@link RecordResource}. */
    static final List<RecordCollection> COLLECTIONS = List.of(BookmarkResource.COLLECTION, GroupResource.COLLECTION,
            QueueResource.COLLECTION);

    private static final String JSON = MediaType.APPLICATION_JSON;
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @Override
    public void filterOpenAPI(OpenAPI openAPI) {
        for (RecordCollection c : COLLECTIONS) {
            PathItem all = openAPI.getPaths().getPathItem(c.path());
            PathItem one = openAPI.getPaths().getPathItem(c.path() + "/{id}");
            describe(all.getPOST(), "create", "Create a " + c.noun(), null, c.create(), "201", c.noun(), c.record());
            describe(all.getGET(), "list", "List " + c.plural(), c.listNote(), null, "200", c.plural(), c.list());
            describe(one.getGET(), "get", "Get a " + c.noun(), null, null, "200", c.noun(), c.record());
            describe(one.getDELETE(), "delete", "Delete a " + c.noun(), null, null, null, null, null);
            if (c.save() != null) {
                describe(one.getPUT(), "save", "Save a " + c.noun(), null, c.save(), "200", c.noun(), c.record());
            }
            for (Operation op : List.of(one.getGET(), one.getDELETE())) {
                op.getResponses().getAPIResponse("404").setDescription("Unknown " + c.noun());
            }
        }
    }

    /**
     * Gives {@code op}, served by the {@link RecordResource} method named {@code method}, its summary, the note added
     * to its description (if any), the example of its body (if any, named after the method), the example of its
     * answer {@code status} (if any, named {@code name}), and its security.
     */
    private static void describe(Operation op, String method, String summary, String note, String body, String status,
                                 String name, String answer) {
        op.setSummary(summary);
        if (note != null) {
            op.setDescription(note);
        }
        if (body != null) {
            example(op.getRequestBody().getContent(), method, body);
        }
        if (answer != null) {
            APIResponse response = op.getResponses().getAPIResponse(status);
            if (response.getContent() == null) {
                response.setContent(OASFactory.createContent());
            }
            example(response.getContent(), name, answer);
        }
        if (op.getSecurity() == null || op.getSecurity().isEmpty()) {
            op.addSecurityRequirement(OASFactory.createSecurityRequirement()
                    .addScheme(HaspApi.BEARER, List.of(rolesOf(method))));
        }
        if (!op.getResponses().hasAPIResponse("401")) {
            op.getResponses().addAPIResponse("401", OASFactory.createAPIResponse().description("Not Authorized"));
        }
        if (!op.getResponses().hasAPIResponse("403")) {
            op.getResponses().addAPIResponse("403", OASFactory.createAPIResponse().description("Not Allowed"));
        }
    }

    private static void example(Content content, String name, String json) {
        if (content.getMediaType(JSON) == null) {
            content.addMediaType(JSON, OASFactory.createMediaType());
        }
        try {
            content.getMediaType(JSON).addExample(name, OASFactory.createExample()
                    .value(MAPPER.readValue(json, Object.class)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("example " + name + " is not JSON", e);
        }
    }

    /** The roles of the {@link SavableRecordResource} (or inherited {@link RecordResource}) method {@code name}. */
    private static String[] rolesOf(String name) {
        Method method = Arrays.stream(SavableRecordResource.class.getMethods())
                .filter(m -> m.getName().equals(name)).findFirst().orElseThrow();
        return method.getAnnotation(RolesAllowed.class).value();
    }
}
