package io.hasp.http;

import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.hasp.HaspConfig;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Answers a body over {@code hasp.http.max-body-bytes} with {@code 413} and a problem document, as every other error.
 * The limit itself is Vert.x's ({@code quarkus.http.limits.max-body-size}, set from the same key); it fires before
 * Quarkus REST and the exception mapper, and would answer with an empty body.
 * <ol>
 *   <li>A request that declares a larger {@code Content-Length} is refused before any of its body is read.</li>
 *   <li>A chunked body that outgrows the limit while being read fails the route with 413; the failure handler
 *       writes the same problem document.</li>
 * </ol>
 * Nothing reaches a resource in either case, so nothing is written.
 */
@ApplicationScoped
public class BodyLimitProblem {

    private final long maxBytes;
    private final String body;

    BodyLimitProblem(HaspConfig config, ObjectMapper mapper) {
        this.maxBytes = config.http().maxBodyBytes();
        this.body = ProblemDocument.json(mapper, 413, ProblemMapper.TOO_LARGE, tooLarge(maxBytes), Map.of());
    }

    /** The detail of every 413, whichever layer refuses the body. */
    static String tooLarge(long maxBytes) {
        return "the request body is larger than the limit of " + maxBytes + " bytes";
    }

    void install(@Observes Router router) {
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(maxBytes);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> checkLength(ctx, chunked));
        router.route().order(Integer.MIN_VALUE).failureHandler(this::answerTooLarge);
    }

    private void checkLength(RoutingContext ctx, BodyHandler chunked) {
        String declared = ctx.request().getHeader("Content-Length");
        if (declared == null && ctx.request().getHeader("Transfer-Encoding") != null) {
            // no length declared: read the body here, bounded, so that outgrowing the limit fails the route
            chunked.handle(ctx);
            return;
        }
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBytes) {
                    respond(ctx);
                    return;
                }
            } catch (NumberFormatException e) {
                // not ours to judge: Vert.x refuses a malformed length itself
            }
        }
        ctx.next();
    }

    private void answerTooLarge(RoutingContext ctx) {
        if (ctx.statusCode() == 413 && !ctx.response().ended()) {
            respond(ctx);
        } else {
            ctx.next();
        }
    }

    private void respond(RoutingContext ctx) {
        ctx.response().setStatusCode(413)
                .putHeader("Content-Type", ProblemMapper.PROBLEM_JSON)
                .putHeader("Connection", "close")
                .end(body);
    }
}
