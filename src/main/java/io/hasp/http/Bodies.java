package io.hasp.http;

/** Checks shared by resources: a JSON body that is absent altogether is a 400, not a null pointer. */
public final class Bodies {

    private Bodies() {
    }

    /** {@code body}, or a 400 problem when the request had none. */
    public static <T> T require(T body) {
        if (body == null) {
            throw ProblemException.badRequest("invalid-body", "a JSON body is required");
        }
        return body;
    }
}
