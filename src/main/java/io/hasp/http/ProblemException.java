package io.hasp.http;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * An error answer, thrown anywhere in request handling and turned into {@code application/problem+json} by
 * {@link ProblemMapper}. Its detail and extra members go to the client: they must never hold secrets, stack traces
 * or server paths.
 */
public class ProblemException extends RuntimeException {

    private final int status;
    private final String reason;
    private final Map<String, Object> extras;
    private final Map<String, String> headers;

    public ProblemException(int status, String reason, String detail) {
        this(status, reason, detail, Map.of(), Map.of());
    }

    public ProblemException(int status, String reason, String detail, Map<String, Object> extras,
                            Map<String, String> headers) {
        super(Objects.requireNonNull(detail, "detail"), null, false, false);
        if (status < 400 || status > 599) {
            throw new IllegalArgumentException("a problem has a 4xx or 5xx status");
        }
        this.status = status;
        this.reason = Objects.requireNonNull(reason, "reason");
        this.extras = Map.copyOf(new LinkedHashMap<>(extras));
        this.headers = Map.copyOf(headers);
    }

    /** 400 for a request that cannot be right, whatever the state. */
    public static ProblemException badRequest(String reason, String detail) {
        return new ProblemException(400, reason, detail);
    }

    /** 404. */
    public static ProblemException notFound(String detail) {
        return new ProblemException(404, "not-found", detail);
    }

    public int status() {
        return status;
    }

    /** Machine-readable cause, the {@code reason} member. */
    public String reason() {
        return reason;
    }

    /** Extra members of the problem body. */
    public Map<String, Object> extras() {
        return extras;
    }

    /** Extra response headers ({@code WWW-Authenticate}, {@code Retry-After}). */
    public Map<String, String> headers() {
        return headers;
    }
}
