package io.hasp.console;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /console}: the operator's page. Its files are static resources under {@code /console/}; this answers the
 * bare path with the same page (the static handler serves {@code /console/} only). The page holds no data and no
 * token: it signs in and reads {@code /v1/overview} from the browser, so the page itself needs none.
 */
@Path("/console")
@Tag(name = "Console", description = "What the operator's console at /console shows")
public class ConsoleResource {

    private static final String PAGE = "META-INF/resources/console/index.html";

    private final String page;

    public ConsoleResource() {
        try (InputStream in = ConsoleResource.class.getClassLoader().getResourceAsStream(PAGE)) {
            if (in == null) {
                throw new IllegalStateException(PAGE + " is missing from the application");
            }
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @GET
    @PermitAll
    @Produces(MediaType.TEXT_HTML)
    @Operation(summary = "The operator's web console", description = "An HTML page; everything it loads is served "
            + "by Hasp. It asks for a token (sign-in field or #token= in the URL fragment) and reads /v1/overview.")
    @APIResponse(responseCode = "200", description = "the page", content = @Content(mediaType = MediaType.TEXT_HTML,
            examples = @ExampleObject(name = "page", value = "<!DOCTYPE html><html lang=\"en\">…</html>")))
    public String page() {
        return page;
    }
}
