package io.hasp.http;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The one builder of problem documents (RFC 9457): {@code type} (a URI that ends with the reason), {@code title}
 * (the status' reason phrase), {@code status}, {@code detail}, {@code reason}, then the extra members in their
 * order. Every error body Hasp sends is built here, by {@link ProblemMapper} and by the handlers that answer before
 * Quarkus REST runs ({@link BodyLimitProblem}).
 */
final class ProblemDocument {

    private static final String TYPE_BASE = "https://hasp.io/problems/";
    private static final String FALLBACK = "{\"type\":\"" + TYPE_BASE + "internal-error\","
            + "\"title\":\"Internal Server Error\",\"status\":500,\"reason\":\"internal-error\"}";

    private ProblemDocument() {
    }

    /** The document as JSON text. */
    static String json(ObjectMapper mapper, int status, String reason, String detail, Map<String, Object> extras) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", TYPE_BASE + reason);
        Response.Status known = Response.Status.fromStatusCode(status);
        body.put("title", known != null ? known.getReasonPhrase() : "Error");
        body.put("status", status);
        body.put("detail", detail);
        body.put("reason", reason);
        extras.forEach(body::putIfAbsent);
        try {
            return mapper.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            return FALLBACK;
        }
    }
}
