package io.hasp.http;

import java.lang.reflect.Method;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolationException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;

import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;

import io.hasp.HaspConfig;
import io.hasp.ValidationException;
import io.hasp.lock.LockException;
import io.hasp.lock.LockLostException;
import io.hasp.lock.LockHolder;
import io.hasp.lock.LockResult;
import io.hasp.storage.CorruptRecordException;
import io.hasp.storage.InvalidNameException;
import io.hasp.storage.LimitExceededException;
import io.hasp.storage.RecordConflictException;
import io.hasp.storage.RecordNotFoundException;
import io.hasp.storage.StorageException;
import io.hasp.storage.VersionConflictException;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/**
 * The one place that turns exceptions into {@code application/problem+json} (RFC 9457): {@code type}, {@code title},
 * {@code status}, {@code detail}, plus {@code reason} and any extra members. No answer carries a stack trace or a
 * server path; unexpected exceptions are logged here with their stack trace and answered with a bare 500.
 *
 * <p>The body is serialised here, to a string, because Quarkus REST's Jackson writer is registered for
 * {@code application/json} only and would not be picked for {@code application/problem+json}.
 */
public class ProblemMapper {

    /** The media type of every error body. */
    public static final String PROBLEM_JSON = "application/problem+json";

    /** The reason of every 413: a body over {@code hasp.http.max-body-bytes}. */
    static final String TOO_LARGE = "too-large";

    /** Seconds a client should wait before retrying a request that met a busy lock. */
    static final int LOCK_RETRY_AFTER_SECONDS = 1;

    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);
    private static final int MAX_DETAIL = 300;
    private static final Map<String, String> CHALLENGE =
            Map.of(HttpHeaders.WWW_AUTHENTICATE, BearerAuthMechanism.SCHEME);

    @Inject
    ObjectMapper mapper;

    @Inject
    HaspConfig config;

    /**
     * A resource that needs a role, asked without a bearer token, or with one the token store does not know (unknown,
     * expired, revoked: Quarkus Security then leaves the request anonymous).
     */
    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, HttpHeaders headers) {
        return BearerAuthMechanism.bearer(headers.getHeaderString(HttpHeaders.AUTHORIZATION)) == null
                ? build(401, "unauthorized", "a bearer token is required", Map.of(), CHALLENGE)
                : authenticationFailed(null);
    }

    /** A bearer token that is unknown, expired or revoked. */
    @ServerExceptionMapper
    public Response authenticationFailed(AuthenticationFailedException e) {
        return build(401, "unauthorized", "the token is unknown, expired or revoked", Map.of(), CHALLENGE);
    }

    /** A token without the scope the resource method asks for with {@link RolesAllowed}. */
    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        RolesAllowed roles = method == null ? null : method.isAnnotationPresent(RolesAllowed.class)
                ? method.getAnnotation(RolesAllowed.class) : method.getDeclaringClass().getAnnotation(RolesAllowed.class);
        String needed = roles == null ? "needed" : String.join(" or ", roles.value());
        return build(403, "forbidden", "the token lacks the " + needed + " scope", Map.of(), Map.of());
    }

    /**
     * A request that breaks its constraints ({@code @Valid} bodies, constrained parameters): 400 listing every
     * field and why, in {@code violations}. The reason is {@code invalid-name} when only names are wrong,
     * {@code invalid-body} when the body is, {@code invalid-request} otherwise.
     */
    @ServerExceptionMapper
    public Response violations(ConstraintViolationException e, ResourceInfo resource) {
        Violations found = Violations.of(e.getConstraintViolations(), resource.getResourceMethod());
        return build(400, found.reason(), shorten(found.detail()), Map.of("violations", found.list()), Map.of());
    }

    @ServerExceptionMapper
    public Response problem(ProblemException e) {
        return build(e.status(), e.reason(), e.getMessage(), e.extras(), e.headers());
    }

    @ServerExceptionMapper
    public Response invalidName(InvalidNameException e) {
        return build(400, "invalid-name", e.getMessage(), Map.of(), Map.of());
    }

    /**
     * Hasp's own validation (records' compact constructors, request checks) speaks in safe, short messages. Any other
     * {@link IllegalArgumentException} (the JDK's, a library's) is unexpected: {@link #unexpected}, a bare 500.
     */
    @ServerExceptionMapper
    public Response validation(ValidationException e) {
        return build(400, "invalid-request", shorten(e.getMessage()), Map.of(), Map.of());
    }

    @ServerExceptionMapper
    public Response notFound(RecordNotFoundException e) {
        return build(404, "not-found", e.getMessage(), Map.of(), Map.of());
    }

    @ServerExceptionMapper
    public Response conflict(RecordConflictException e) {
        return build(409, "conflict", e.getMessage(), Map.of(), Map.of());
    }

    @ServerExceptionMapper
    public Response limitExceeded(LimitExceededException e) {
        return build(422, "limit-exceeded", e.getMessage(), Map.of("setting", e.setting(), "limit", e.limit()),
                Map.of());
    }

    @ServerExceptionMapper
    public Response versionConflict(VersionConflictException e) {
        return build(412, "version-mismatch", e.getMessage(), Map.of("currentVersion", e.actual()), Map.of());
    }

    /** A record that does not parse: named, so that an operator can repair it; its content is never quoted. */
    @ServerExceptionMapper
    public Response corruptRecord(CorruptRecordException e) {
        LOG.errorf("%s", e.getMessage());
        return build(500, "corrupt-record", e.getMessage(), Map.of("record", e.record()), Map.of());
    }

    @ServerExceptionMapper
    public Response storage(StorageException e) {
        LOG.error("storage failure", e);
        return build(500, "storage-error", e.getMessage(), Map.of(), Map.of());
    }

    @ServerExceptionMapper
    public Response lockFailed(LockException e) {
        LockResult.Failed failure = e.failure();
        Map<String, Object> extras = new LinkedHashMap<>();
        failure.holder().ifPresent(holder -> addHolder(extras, holder));
        String detail = failure.reason() == LockResult.Reason.ERROR
                ? "the record's lock could not be read or written"
                : "the record is locked by another writer" + failure.holder().map(h -> " (" + h.describe() + ")")
                        .orElse("");
        return build(503, failure.reason().wireName(), detail, extras,
                Map.of("Retry-After", Integer.toString(LOCK_RETRY_AFTER_SECONDS)));
    }

    /**
     * A record write whose lock was lost before it could be made (a holder paused past {@code stale-after} and
     * broken by another host): nothing was written, and the client may try again.
     */
    @ServerExceptionMapper
    public Response lockLost(LockLostException e) {
        LOG.warnf("a record write found its lock lost: %s", e.getMessage());
        return build(503, "lost", "the record's lock was lost before the write; nothing was written", Map.of(),
                Map.of("Retry-After", Integer.toString(LOCK_RETRY_AFTER_SECONDS)));
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        if (e.getCause() instanceof InvalidNameException invalidName) {
            return invalidName(invalidName);
        }
        return build(400, "invalid-body", describeJson(e), Map.of(), Map.of());
    }

    /**
     * Declared for this exact type because quarkus-rest-jackson ships a mapper of its own for it, whose JSON body is
     * no problem document.
     */
    @ServerExceptionMapper
    public Response mismatchedInput(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return json(json);
        }
        int status = e.getResponse() != null ? e.getResponse().getStatus() : 500;
        if (status < 400) {
            status = 500;
        }
        String reason = switch (status) {
            case 404 -> "not-found";
            case 405 -> "method-not-allowed";
            case 406 -> "not-acceptable";
            case 413 -> TOO_LARGE;
            case 415 -> "unsupported-media-type";
            default -> status >= 500 ? "internal-error" : "invalid-request";
        };
        String detail = switch (status) {
            case 404 -> "no such resource";
            case 405 -> "method not allowed on this resource";
            case 413 -> BodyLimitProblem.tooLarge(config.http().maxBodyBytes());
            case 415 -> "the body must be application/json";
            default -> Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : "request failed";
        };
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        return build(status, reason, detail, Map.of(), Map.of());
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        Throwable cause = e.getCause();
        if (cause instanceof LockException lock) {
            return lockFailed(lock);
        }
        if (cause instanceof ProblemException problem) {
            return problem(problem);
        }
        if (cause instanceof ValidationException invalid) {
            return validation(invalid);
        }
        if (cause instanceof CorruptRecordException corrupt) {
            return corruptRecord(corrupt);
        }
        LOG.error("unexpected failure", e);
        return build(500, "internal-error", "internal error", Map.of(), Map.of());
    }

    /** A problem response whose body {@link ProblemDocument} builds. */
    Response build(int status, String reason, String detail, Map<String, Object> extras,
                   Map<String, String> headers) {
        String json = ProblemDocument.json(mapper, status, reason, detail, extras);
        Response.ResponseBuilder response = Response.status(status).type(PROBLEM_JSON).entity(json);
        headers.forEach(response::header);
        return response.build();
    }

    private static void addHolder(Map<String, Object> extras, LockHolder holder) {
        extras.put("pid", holder.pid());
        extras.put("hostname", holder.hostname());
        if (holder.since() != null) {
            extras.put("since", holder.since().truncatedTo(ChronoUnit.MILLIS).toString());
        }
        extras.put("holderType", holder.type().wireName());
        holder.fencingToken().ifPresent(token -> extras.put("fencingToken", token));
        holder.expiresAt().map(Instant::toString).ifPresent(at -> extras.put("expiresAt", at));
    }

    /** A client-facing account of a body Jackson could not read: what and where, never how. */
    static String describeJson(JsonProcessingException e) {
        if (e instanceof JsonParseException) {
            return "malformed JSON" + location(e);
        }
        if (e instanceof ValueInstantiationException vie) {
            // only our own validation's words reach the client; a JDK or library message stays out
            return "invalid value" + field(vie)
                    + (vie.getCause() instanceof ValidationException own ? ": " + shorten(own.getMessage()) : "");
        }
        if (e instanceof InvalidFormatException ife) {
            return "invalid value" + field(ife) + " (expected " + simpleType(ife.getTargetType()) + ")";
        }
        if (e instanceof MismatchedInputException mie) {
            if (mie.getTargetType() != null && mie.getPath().isEmpty()) {
                return "the body must be a JSON " + (mie.getTargetType().isArray() ? "array" : "object");
            }
            return "wrong type" + field(mie)
                    + (mie.getTargetType() != null ? " (expected " + simpleType(mie.getTargetType()) + ")" : "");
        }
        if (e instanceof JsonMappingException jme) {
            return "invalid body" + field(jme);
        }
        return "invalid JSON body";
    }

    private static String field(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "" : " for field '" + shorten(path.toString()) + "'";
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? ""
                : " at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr();
    }

    private static String simpleType(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (Number.class.isAssignableFrom(type) || type == int.class || type == long.class) {
            return "a number";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "a boolean";
        }
        if (Collection.class.isAssignableFrom(type) || type.isArray()) {
            return "an array";
        }
        if (type == Instant.class) {
            return "an ISO-8601 timestamp";
        }
        if (type.isEnum()) {
            return "one of the documented values";
        }
        return "an object";
    }

    private static String shorten(String message) {
        if (message == null) {
            return "invalid request";
        }
        String oneLine = message.replaceAll("[\\r\\n\\t]+", " ");
        return oneLine.length() > MAX_DETAIL ? oneLine.substring(0, MAX_DETAIL) + "..." : oneLine;
    }
}
